#include "widgets/fitted_table_view.h"

#include <QHeaderView>

#include <algorithm>

namespace spw::ui {

QTableView* fittedTableView(QAbstractItemModel* model, const QString& objectName, QWidget* parent)
{
    auto* view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setModel(model);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setWordWrap(false);
    view->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    view->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    auto fit = [view] {
        const int rows = std::max(1, view->model()->rowCount());
        view->setFixedHeight(view->horizontalHeader()->sizeHint().height()
            + rows * view->verticalHeader()->defaultSectionSize() + 2 * view->frameWidth());
    };
    QObject::connect(model, &QAbstractItemModel::modelReset, view, fit);
    fit();
    return view;
}

} // namespace spw::ui
