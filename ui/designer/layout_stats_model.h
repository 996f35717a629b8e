#pragma once
// Per-head layout statistics as a table: one row per head, then a row for all heads together. Columns: head,
// nonzero blocks, density, attention FLOPs and score memory relative to dense (both follow the nonzero blocks).
// Display strings are formatted; Qt::UserRole gives the raw numbers.
#include "sparsity/layout.h"

#include <QAbstractTableModel>

namespace spw::ui {

class LayoutStatsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { HeadColumn, NonzeroColumn, DensityColumn, FlopsColumn, MemoryColumn, ColumnCount };

    explicit LayoutStatsModel(QObject* parent = nullptr);

    void setStats(const LayoutStats& stats);
    const LayoutStats& stats() const { return m_stats; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant value(int row, int column) const;

    LayoutStats m_stats;
};

} // namespace spw::ui
