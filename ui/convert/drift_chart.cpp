#include "convert/drift_chart.h"

#include "qcustomplot_include.h"
#include <QVBoxLayout>

#include <algorithm>

namespace spw::ui {
namespace {

QCPBars* makeBars(QCustomPlot* plot, const QString& name, const QColor& colour)
{
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setName(name);
    bars->setPen(Qt::NoPen);
    bars->setBrush(colour);
    bars->setWidth(0.3);
    return bars;
}

} // namespace

DriftChart::DriftChart(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setMinimumHeight(180);
    m_plot->yAxis->setLabel(tr("absolute difference"));
    m_plot->yAxis->grid()->setPen(QPen(QColor(0xe3, 0xe5, 0xe8)));
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->xAxis->setTickLength(0, 0);
    m_plot->xAxis->setSubTicks(false);
    m_plot->legend->setVisible(true);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setBrush(QColor(255, 255, 255, 200));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    showDrift({});
}

void DriftChart::showDrift(const QVector<DriftRow>& rows)
{
    m_plot->clearPlottables();
    QCPBars* maxBars = makeBars(m_plot, tr("max |Δ|"), QColor(0x3b, 0x75, 0xaf));
    QCPBars* meanBars = makeBars(m_plot, tr("mean |Δ|"), QColor(0xe8, 0x83, 0x3a));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    double top = 0;
    for (int i = 0; i < rows.size(); ++i) {
        ticker->addTick(i, rows[i].output);
        maxBars->addData(i - 0.16, rows[i].maxAbsDiff);
        meanBars->addData(i + 0.16, rows[i].meanAbsDiff);
        top = std::max(top, rows[i].maxAbsDiff);
    }
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(-0.6, std::max<qsizetype>(1, rows.size()) - 0.4);
    // A drift of exactly zero (positions extended only) still gets a readable axis.
    m_plot->yAxis->setRange(0, top > 0 ? top * 1.15 : 1e-6);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace spw::ui
