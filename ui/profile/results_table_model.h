#pragma once
// A sweep's points as a table, one row per (sequence length, batch, layout), in the order they were measured.
// Display strings are formatted; Qt::UserRole gives the raw numbers (and the layout's name). The loss and accuracy
// columns are the layout's masked-LM quality at that length when the sweep scored a text (empty otherwise; the
// tooltip gives dense attention's and the perplexity); hasQuality() says whether any row has it.
#include "profile/profile_types.h"

#include <QAbstractTableModel>

#include <vector>

namespace spw::ui {

class ResultsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        LengthColumn,
        BatchColumn,
        LayoutColumn,
        DensityColumn,
        DenseMsColumn,
        SparseMsColumn,
        SpeedupColumn,
        DensePeakColumn,
        SparsePeakColumn,
        MaxDiffColumn,
        CosineColumn,
        LossColumn,
        AccuracyColumn,
        ColumnCount
    };

    explicit ResultsTableModel(QObject* parent = nullptr);

    void setPoints(std::vector<ProfilePoint> points);
    void appendPoint(const ProfilePoint& point);
    void clear();
    const std::vector<ProfilePoint>& points() const { return m_points; }
    bool hasQuality() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant value(const ProfilePoint& point, int column) const;
    QString display(const ProfilePoint& point, int column) const;

    std::vector<ProfilePoint> m_points;
};

} // namespace spw::ui
