#include "key_value_model.h"

namespace spw::ui {

KeyValueModel::KeyValueModel(QString keyHeader, QString valueHeader, QObject* parent)
    : QAbstractTableModel(parent)
    , m_keyHeader(std::move(keyHeader))
    , m_valueHeader(std::move(valueHeader))
{
}

void KeyValueModel::setRows(QVector<KeyValueRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

QString KeyValueModel::value(const QString& key) const
{
    for (const KeyValueRow& row : m_rows)
        if (row.key == key)
            return row.value;
    return {};
}

int KeyValueModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int KeyValueModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : 2;
}

QVariant KeyValueModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const KeyValueRow& row = m_rows[index.row()];
    if (role == Qt::DisplayRole)
        return index.column() == 0 ? row.key : row.value;
    if (role == Qt::ToolTipRole && !row.toolTip.isEmpty())
        return row.toolTip;
    return {};
}

QVariant KeyValueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == 0 ? m_keyHeader : m_valueHeader;
}

} // namespace spw::ui
