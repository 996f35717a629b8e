#pragma once
// The output drift of a converted model against the loaded one, one row per output: Output, Max |Δ|,
// Mean |Δ|, Cosine.
#include "convert/conversion_jobs.h"

#include <QAbstractTableModel>

namespace spw::ui {

class DriftTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { OutputColumn, MaxColumn, MeanColumn, CosineColumn, ColumnCount };
    static constexpr int ValueRole = Qt::UserRole + 1; // the number behind a cell, as a double

    explicit DriftTableModel(QObject* parent = nullptr);

    void setRows(QVector<DriftRow> rows);
    const QVector<DriftRow>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<DriftRow> m_rows;
};

} // namespace spw::ui
