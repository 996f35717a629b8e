#include "designer/layout_stats_model.h"

#include <QFont>

namespace spw::ui {
namespace {

QString percent(double fraction)
{
    return QStringLiteral("%1 %").arg(fraction * 100.0, 0, 'f', 2);
}

} // namespace

LayoutStatsModel::LayoutStatsModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void LayoutStatsModel::setStats(const LayoutStats& stats)
{
    beginResetModel();
    m_stats = stats;
    endResetModel();
}

int LayoutStatsModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || m_stats.heads.empty())
        return 0;
    return int(m_stats.heads.size()) + 1;
}

int LayoutStatsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayoutStatsModel::value(int row, int column) const
{
    const bool total = row == int(m_stats.heads.size());
    switch (column) {
    case HeadColumn:
        return total ? QVariant(tr("all heads")) : QVariant(row);
    case NonzeroColumn:
        return qlonglong(total ? m_stats.nonzeroBlocks : m_stats.heads[row].nonzeroBlocks);
    case DensityColumn:
        return total ? m_stats.density : m_stats.heads[row].density;
    // Per head, FLOPs and score memory relative to a dense head are its density: both scale with its blocks.
    case FlopsColumn:
        return total ? m_stats.flopsRelativeToDense : m_stats.heads[row].density;
    case MemoryColumn:
        return total ? m_stats.scoreMemoryRelativeToDense : m_stats.heads[row].density;
    }
    return {};
}

QVariant LayoutStatsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    switch (role) {
    case Qt::UserRole:
        return value(row, column);
    case Qt::DisplayRole: {
        const QVariant raw = value(row, column);
        if (column == DensityColumn || column == FlopsColumn || column == MemoryColumn)
            return percent(raw.toDouble());
        return raw.toString();
    }
    case Qt::TextAlignmentRole:
        return column == HeadColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                    : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole:
        if (row == int(m_stats.heads.size())) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    }
    return {};
}

QVariant LayoutStatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return QAbstractTableModel::headerData(section, orientation, role);
    const bool tip = role == Qt::ToolTipRole;
    switch (section) {
    case HeadColumn:
        return tip ? tr("Attention head") : tr("Head");
    case NonzeroColumn:
        return tip ? tr("Blocks attended (nonzero in the layout)") : tr("Blocks");
    case DensityColumn:
        return tip ? tr("Nonzero blocks / all blocks") : tr("Density");
    case FlopsColumn:
        return tip ? tr("Attention FLOPs (QKᵀ and PV) relative to dense attention") : tr("FLOPs");
    case MemoryColumn:
        return tip ? tr("Attention score memory relative to dense attention") : tr("Scores");
    }
    return {};
}

} // namespace spw::ui
