#include "profile/quality_plot.h"

#include "profile/pareto_front.h"
#include "profile/plot_helpers.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>
#include <set>

namespace spw::ui {
namespace {

// One point of the plot: dense attention or a layout at the shown length and batch.
struct TradeOff {
    std::string name;
    double x = 0;
    double y = 0;
    QString text;
};

} // namespace

QualityPlot::QualityPlot(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->addStretch(1);
    auto addBox = [&](const QString& label, const QString& name) {
        bar->addWidget(new QLabel(label, this));
        auto* box = new QComboBox(this);
        box->setObjectName(name);
        bar->addWidget(box);
        return box;
    };
    m_lengthBox = addBox(tr("Length:"), QStringLiteral("qualityLength"));
    m_lengthBox->setToolTip(tr("The swept length whose layouts are compared"));
    connect(m_lengthBox, &QComboBox::activated, this, [this](int index) {
        m_lengthChosen = true;
        showLength(m_lengthBox->itemData(index).toLongLong());
    });
    m_speedBox = addBox(tr("x:"), QStringLiteral("qualitySpeed"));
    m_speedBox->addItem(tr("time (ms)"), int(Speed::Milliseconds));
    m_speedBox->addItem(tr("speed-up over dense"), int(Speed::Speedup));
    m_qualityBox = addBox(tr("y:"), QStringLiteral("qualityMeasure"));
    m_qualityBox->addItem(tr("accuracy"), int(Quality::Accuracy));
    m_qualityBox->addItem(tr("loss"), int(Quality::Loss));
    for (QComboBox* box : { m_speedBox, m_qualityBox })
        connect(box, &QComboBox::activated, this, [this] { rebuild(); });
    layout->addLayout(bar);

    m_plot = makeProfilePlot(this, tr("Speed vs quality"), QString(), QString());
    m_plot->setMinimumHeight(260);
    layout->addWidget(m_plot, 1);
    rebuild();
}

void QualityPlot::setPoints(const std::vector<ProfilePoint>& points)
{
    m_points.clear();
    std::copy_if(points.begin(), points.end(), std::back_inserter(m_points),
        [](const ProfilePoint& p) { return p.dense.quality && p.sparse.quality; });
    updateLengthBox();
    rebuild();
}

void QualityPlot::showBatch(std::int64_t batch)
{
    m_batch = batch;
    rebuild();
}

void QualityPlot::showLength(std::int64_t length)
{
    m_length = length;
    updateLengthBox();
    rebuild();
}

void QualityPlot::setAxes(Speed speed, Quality quality)
{
    m_speedBox->setCurrentIndex(m_speedBox->findData(int(speed)));
    m_qualityBox->setCurrentIndex(m_qualityBox->findData(int(quality)));
    rebuild();
}

bool QualityPlot::hasQuality() const
{
    return !m_points.empty();
}

void QualityPlot::updateLengthBox()
{
    std::set<std::int64_t> lengths;
    for (const ProfilePoint& point : m_points)
        lengths.insert(point.seqLen);
    if (!lengths.empty() && (!m_lengthChosen || !lengths.count(m_length)))
        m_length = *lengths.rbegin(); // the longest, where layouts differ most
    const QSignalBlocker blocker(m_lengthBox);
    m_lengthBox->clear();
    for (std::int64_t length : lengths)
        m_lengthBox->addItem(QLocale().toString(qlonglong(length)), qlonglong(length));
    m_lengthBox->setCurrentIndex(m_lengthBox->findData(qlonglong(m_length)));
}

void QualityPlot::rebuild()
{
    m_plot->clearPlottables();
    m_front.clear();
    const auto speed = Speed(m_speedBox->currentData().toInt());
    const auto quality = Quality(m_qualityBox->currentData().toInt());
    m_plot->xAxis->setLabel(speed == Speed::Milliseconds ? tr("median forward time (ms)") : tr("dense time / time"));
    m_plot->yAxis->setLabel(quality == Quality::Accuracy ? tr("masked-LM accuracy (%)") : tr("masked-LM loss"));
    auto* title = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0));
    if (title)
        title->setText(m_points.empty()
                ? tr("Speed vs quality — run a sweep with Quality on text")
                : tr("Speed vs quality — %1 tokens").arg(QLocale().toString(qlonglong(m_length))));

    // Layouts keep the colours they have in the other plots: by first appearance in the sweep.
    std::vector<std::string> order;
    for (const ProfilePoint& point : m_points)
        if (std::find(order.begin(), order.end(), point.layout) == order.end())
            order.push_back(point.layout);
    const QLocale locale;
    auto describe = [&](const QString& name, double ms, double speedup, const MlmQuality& q) {
        return tr("%1 · %2 tokens · batch %3: %4 ms (%5× dense), accuracy %6 %, loss %7 (perplexity %8)")
            .arg(name, locale.toString(qlonglong(m_length)))
            .arg(m_batch)
            .arg(locale.toString(ms, 'f', ms < 10 ? 3 : 1), locale.toString(speedup, 'f', 2),
                locale.toString(100.0 * q.accuracy, 'f', 2), locale.toString(q.loss, 'f', 4),
                locale.toString(q.perplexity, 'f', 3));
    };
    auto y = [&](const MlmQuality& q) { return quality == Quality::Accuracy ? 100.0 * q.accuracy : q.loss; };
    std::vector<TradeOff> shown;
    std::vector<QColor> colours;
    for (const ProfilePoint& point : m_points) {
        if (point.batch != m_batch || point.seqLen != m_length)
            continue;
        if (shown.empty()) { // dense attention, measured once per length and batch
            const double ms = point.dense.time.medianMs;
            shown.push_back({ "dense", speed == Speed::Milliseconds ? ms : 1.0, y(*point.dense.quality),
                describe(tr("dense"), ms, 1.0, *point.dense.quality) });
            colours.push_back(kDenseColour);
        }
        const double ms = point.sparse.time.medianMs;
        shown.push_back({ point.layout, speed == Speed::Milliseconds ? ms : point.speedup, y(*point.sparse.quality),
            describe(QString::fromStdString(point.layout), ms, point.speedup, *point.sparse.quality) });
        colours.push_back(layoutColour(int(std::find(order.begin(), order.end(), point.layout) - order.begin())));
    }
    // The front: lower time or higher speed-up, higher accuracy or lower loss.
    std::vector<TradeOffPoint> tradeOffs;
    for (const TradeOff& point : shown)
        tradeOffs.push_back(
            { speed == Speed::Milliseconds ? point.x : -point.x, quality == Quality::Accuracy ? point.y : -point.y });
    std::vector<std::size_t> front = paretoFront(tradeOffs);
    std::sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) { return shown[a].x < shown[b].x; });
    if (!front.empty()) {
        QCPGraph* line = m_plot->addGraph();
        line->setName(tr("Pareto front"));
        // Each step holds a point's quality over the speeds it beats: rightwards from a time, leftwards from a
        // speed-up.
        line->setLineStyle(speed == Speed::Milliseconds ? QCPGraph::lsStepLeft : QCPGraph::lsStepRight);
        line->setPen(QPen(QColor(0x55, 0x55, 0x55), 1.5, Qt::DashLine));
        for (std::size_t i : front) {
            line->addData(shown[i].x, shown[i].y);
            m_front.push_back(shown[i].name);
        }
        // On to the edge of the points: the best quality stays reachable with more time (or less speed-up), which
        // also shows a front of a single point.
        const auto [least, most] = std::minmax_element(
            shown.begin(), shown.end(), [](const TradeOff& a, const TradeOff& b) { return a.x < b.x; });
        if (speed == Speed::Milliseconds && most->x > shown[front.back()].x)
            line->addData(most->x, shown[front.back()].y);
        if (speed == Speed::Speedup && least->x < shown[front.front()].x)
            line->addData(least->x, shown[front.front()].y);
    }
    // The points after the front, so that they are drawn over it.
    for (std::size_t i = 0; i < shown.size(); ++i) {
        QCPGraph* graph = m_plot->addGraph();
        graph->setName(i == 0 ? tr("dense") : QString::fromStdString(shown[i].name));
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(QCPScatterStyle(
            i == 0 ? QCPScatterStyle::ssSquare : QCPScatterStyle::ssCircle, colours[i], colours[i].lighter(170), 10));
        graph->addData(shown[i].x, shown[i].y);
        graph->setProperty(kPointTextsProperty, QStringList { shown[i].text });
    }

    fitAxis(m_plot->xAxis, speed == Speed::Speedup);
    fitAxis(m_plot->yAxis);
    m_plot->legend->setVisible(m_plot->graphCount() > 0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace spw::ui
