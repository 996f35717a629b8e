#include "convert/drift_table_model.h"

namespace spw::ui {

DriftTableModel::DriftTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void DriftTableModel::setRows(QVector<DriftRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int DriftTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DriftTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DriftTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const DriftRow& row = m_rows[index.row()];
    const double values[ColumnCount] = { 0, row.maxAbsDiff, row.meanAbsDiff, row.cosine };
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case OutputColumn:
            return row.output;
        case CosineColumn:
            return QString::number(row.cosine, 'f', 6);
        default:
            return QString::number(values[index.column()], 'g', 3);
        }
    }
    if (role == ValueRole && index.column() != OutputColumn)
        return values[index.column()];
    if (role == Qt::TextAlignmentRole && index.column() != OutputColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant DriftTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case OutputColumn:
        return tr("Output");
    case MaxColumn:
        return tr("Max |Δ|");
    case MeanColumn:
        return tr("Mean |Δ|");
    case CosineColumn:
        return tr("Cosine");
    default:
        return {};
    }
}

} // namespace spw::ui
