#pragma once
// A conversion's masked-LM quality, one row per configuration (the original, the extension alone when measured, the
// converted model): Model, Length, Tokens, Loss, Perplexity, Accuracy.
#include "convert/conversion_jobs.h"

#include <QAbstractTableModel>

namespace spw::ui {

class QualityTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, LengthColumn, TokensColumn, LossColumn, PerplexityColumn, AccuracyColumn, ColumnCount };
    static constexpr int ValueRole = Qt::UserRole + 1; // the number behind a cell

    explicit QualityTableModel(QObject* parent = nullptr);

    void setRows(QVector<QualityRow> rows);
    const QVector<QualityRow>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<QualityRow> m_rows;
};

} // namespace spw::ui
