#include "model/parameter_tree_model.h"

#include <QFont>
#include <QLocale>

namespace spw::ui {

ParameterTreeModel::ParameterTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

ParameterTreeModel::~ParameterTreeModel() = default;

void ParameterTreeModel::setTree(std::unique_ptr<ParameterNode> root)
{
    beginResetModel();
    m_root = std::move(root);
    endResetModel();
}

const ParameterNode* ParameterTreeModel::node(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<const ParameterNode*>(index.internalPointer()) : m_root.get();
}

QModelIndex ParameterTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    const ParameterNode* owner = node(parent);
    return createIndex(row, column, owner->children[std::size_t(row)].get());
}

QModelIndex ParameterTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const ParameterNode* owner = node(child)->parent;
    if (!owner || owner == m_root.get())
        return {};
    const auto& siblings = owner->parent->children;
    for (std::size_t row = 0; row < siblings.size(); ++row)
        if (siblings[row].get() == owner)
            return createIndex(int(row), 0, const_cast<ParameterNode*>(owner));
    return {};
}

int ParameterTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!m_root || parent.column() > 0)
        return 0;
    return int(node(parent)->children.size());
}

int ParameterTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant ParameterTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const ParameterNode* item = node(index);
    const QLocale locale;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case NameColumn:
            if (item->parent == m_root.get() && item->name == QLatin1String("Encoder"))
                return tr("Encoder (%1 layers)").arg(item->children.size());
            return item->name;
        case ShapeColumn:
            return item->shape;
        case CountColumn:
            return locale.toString(qlonglong(item->count));
        case ShareColumn:
            return total() > 0 ? QStringLiteral("%1 %").arg(locale.toString(100.0 * item->count / total(), 'f', 2))
                               : QString();
        default:
            return {};
        }
    }
    if (role == CountRole)
        return qlonglong(item->count);
    if (role == Qt::TextAlignmentRole && (index.column() == CountColumn || index.column() == ShareColumn))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::FontRole && item->parent == m_root.get()) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::ToolTipRole && item->children.empty())
        return tr("%1: %2 (%3 parameters)").arg(item->name, item->shape, locale.toString(qlonglong(item->count)));
    return {};
}

QVariant ParameterTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole && (section == CountColumn || section == ShareColumn))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Module");
    case ShapeColumn:
        return tr("Shape");
    case CountColumn:
        return tr("Parameters");
    case ShareColumn:
        return tr("Share");
    default:
        return {};
    }
}

} // namespace spw::ui
