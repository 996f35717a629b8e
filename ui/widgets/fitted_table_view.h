#pragma once
// A read-only table as tall as its rows (no vertical scroll bar, no empty space below the last row), for the short
// tables of a page's results: the page's spare height goes to its charts.
#include <QTableView>

namespace spw::ui {

QTableView* fittedTableView(QAbstractItemModel* model, const QString& objectName, QWidget* parent);

} // namespace spw::ui
