#pragma once
// The parameter tree (parameter_groups.h) as a Qt item model: columns Module, Shape, Parameters, Share of the
// total. Groups are expandable; numbers are right-aligned and grouped by the locale.
#include "model/parameter_groups.h"

#include <QAbstractItemModel>

#include <memory>

namespace spw::ui {

class ParameterTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, ShapeColumn, CountColumn, ShareColumn, ColumnCount };
    // The raw count (qlonglong) of a row, whatever its display text.
    static constexpr int CountRole = Qt::UserRole + 1;

    explicit ParameterTreeModel(QObject* parent = nullptr);
    ~ParameterTreeModel() override;

    void setTree(std::unique_ptr<ParameterNode> root); // null clears
    const ParameterNode* root() const { return m_root.get(); }
    std::int64_t total() const { return m_root ? m_root->count : 0; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const ParameterNode* node(const QModelIndex& index) const;

    std::unique_ptr<ParameterNode> m_root;
};

} // namespace spw::ui
