#include "profile/plot_helpers.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace spw::ui {
namespace {

// Distinct for colour-blind viewers; a sweep with more layouts than this reuses them.
const QColor kLayoutColours[]
    = { QColor(0x3b, 0x75, 0xaf), QColor(0xe8, 0x83, 0x3a), QColor(0x2e, 0x9e, 0x6e), QColor(0xc0, 0x3d, 0x3e),
          QColor(0x7b, 0x68, 0xa6), QColor(0x8c, 0x61, 0x3c), QColor(0xd5, 0x7f, 0xbe), QColor(0x9a, 0x9b, 0x1e) };

} // namespace

const QColor kDenseColour(0x4a, 0x4a, 0x4a);
const char* const kPointTextsProperty = "pointTexts";

QColor layoutColour(int index)
{
    return kLayoutColours[index % int(std::size(kLayoutColours))];
}

QCustomPlot* makeProfilePlot(QWidget* parent, const QString& title, const QString& xLabel, const QString& yLabel)
{
    auto* plot = new QCustomPlot(parent);
    plot->setMinimumSize(260, 200);
    plot->setAntialiasedElements(QCP::aeAll);
    plot->plotLayout()->insertRow(0);
    QFont titleFont = plot->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.05);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, titleFont));
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
    for (QCPAxis* axis : { plot->xAxis, plot->yAxis }) {
        axis->setTickLabelColor(QColor(0x40, 0x40, 0x40));
        axis->setLabelColor(QColor(0x30, 0x30, 0x30));
        axis->grid()->setPen(QPen(QColor(0xdd, 0xdd, 0xdd), 0, Qt::SolidLine));
        axis->grid()->setSubGridVisible(false);
    }
    // The legend is a row of the layout under the axis rect, not an inset: it cannot cover a point, and a saved
    // image of any size lays it out in full.
    plot->legend->setVisible(true);
    QFont legendFont = plot->font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.9);
    plot->legend->setFont(legendFont);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->axisRect()->insetLayout()->simplify();
    plot->plotLayout()->addElement(2, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(2, 0.001);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setWrap(4);
    plot->legend->setMargins(QMargins(4, 0, 4, 4));
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->setMouseTracking(true);
    return plot;
}

void fitAxis(QCPAxis* axis, bool includeOne)
{
    bool found = false;
    QCPRange range;
    for (QCPAbstractPlottable* plottable : axis->plottables()) {
        bool ok = false;
        const bool isKey = plottable->keyAxis() == axis;
        // A log axis can only show positive values.
        const QCP::SignDomain domain = axis->scaleType() == QCPAxis::stLogarithmic ? QCP::sdPositive : QCP::sdBoth;
        const QCPRange r = isKey ? plottable->getKeyRange(ok, domain) : plottable->getValueRange(ok, domain);
        if (!ok)
            continue;
        range = found ? QCPRange(std::min(range.lower, r.lower), std::max(range.upper, r.upper)) : r;
        found = true;
    }
    if (!found)
        return;
    if (includeOne)
        range = QCPRange(std::min(range.lower, 1.0), std::max(range.upper, 1.0));
    if (axis->scaleType() == QCPAxis::stLogarithmic) {
        range.lower = std::max(range.lower, 1e-9);
        axis->setRange(range.lower / 1.35, std::max(range.upper, range.lower) * 1.35);
    } else {
        const double span = range.upper - range.lower;
        const double margin = span > 0 ? 0.12 * span : std::max(0.5, std::abs(range.upper) * 0.2);
        axis->setRange(std::max(0.0, range.lower - margin), range.upper + margin);
    }
}

QString readoutAt(QCustomPlot* plot, const QPointF& position)
{
    // Close enough to read as "on the point": about a marker's radius plus a little.
    constexpr double kReach = 8.0;
    QString best;
    double bestDistance = kReach;
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* plottable = plot->plottable(i);
        const QStringList texts = plottable->property(kPointTextsProperty).toStringList();
        if (auto* graph = qobject_cast<QCPGraph*>(plottable)) {
            int index = 0;
            for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it, ++index) {
                const QPointF pixel = graph->coordsToPixels(it->key, it->value);
                const double distance = std::hypot(pixel.x() - position.x(), pixel.y() - position.y());
                if (distance < bestDistance && index < texts.size()) {
                    bestDistance = distance;
                    best = texts[index];
                }
            }
        } else if (auto* bars = qobject_cast<QCPBars*>(plottable)) {
            QVariant details;
            if (bars->selectTest(position, false, &details) >= 0) {
                const QCPDataSelection selection = details.value<QCPDataSelection>();
                const int index = selection.isEmpty() ? -1 : selection.dataRange(0).begin();
                if (index >= 0 && index < texts.size())
                    return texts[index];
            }
        }
    }
    return best;
}

} // namespace spw::ui
