#pragma once
// What the Profile page's plots share: their look (a bold title row, the legend in a row under the axis rect, light
// grids), the colours of dense attention and of the layouts, the hover readouts each point carries, and axis fitting.
#include "qcustomplot_include.h"

#include <QColor>
#include <QString>

namespace spw::ui {

extern const QColor kDenseColour;
// The colour of the layout that first appears `index`-th in a sweep; the same in every plot.
QColor layoutColour(int index);

// A plot with a title row, axis labels and the legend under the axis rect (it can never cover a point), dragging
// and zooming, and mouse tracking for hover readouts.
QCustomPlot* makeProfilePlot(QWidget* parent, const QString& title, const QString& xLabel, const QString& yLabel);

// The QObject property of a plottable that holds what hovering each of its points reads (a QStringList, in the
// order of its key-sorted data).
extern const char* const kPointTextsProperty;

// The readout of the point (or bar) of `plot` within a few pixels of `position`, or empty.
QString readoutAt(QCustomPlot* plot, const QPointF& position);

// Rescales to the data with a margin; a log axis gets a multiplicative one and a lone value a range around it.
// `includeOne`: the range also covers 1 (a speed-up's break-even).
void fitAxis(QCPAxis* axis, bool includeOne = false);

} // namespace spw::ui
