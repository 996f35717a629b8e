#include "profile/profile_plots.h"

#include "profile/plot_helpers.h"
#include "profile/quality_plot.h"

#include "qcustomplot_include.h"
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>

namespace spw::ui {
namespace {

void setLogAxis(QCPAxis* axis)
{
    axis->setScaleType(QCPAxis::stLogarithmic);
}

// Ticks at the given values (the swept lengths: a length axis reads best labelled with exactly those).
void setTicks(QCPAxis* axis, const std::vector<double>& values)
{
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (double value : values)
        ticker->addTick(value, QString::number(value, 'g', 7));
    axis->setTicker(ticker);
}

// Ticks for a log axis over `range`: 1-2-5 in each decade, or every digit when that gives too few to read.
void setLogTicks(QCPAxis* axis)
{
    const QCPRange range = axis->range();
    if (range.lower <= 0)
        return;
    const int first = int(std::floor(std::log10(range.lower)));
    const int last = int(std::ceil(std::log10(range.upper)));
    std::vector<double> values;
    for (const std::vector<double>& mantissas :
        { std::vector<double> { 1, 2, 5 }, std::vector<double> { 1, 2, 3, 4, 5, 6, 7, 8, 9 } }) {
        values.clear();
        for (int exponent = first; exponent <= last; ++exponent)
            for (double mantissa : mantissas) {
                const double value = mantissa * std::pow(10.0, exponent);
                if (range.contains(value))
                    values.push_back(value);
            }
        if (values.size() >= 3)
            break;
    }
    setTicks(axis, values);
}

// One point of a line: its key, value and readout, with the min–max spread for latency.
struct LinePoint {
    double key = 0;
    double value = 0;
    double minimum = 0;
    double maximum = 0;
    QString text;
};

QCPGraph* addLine(QCustomPlot* plot, const QString& name, const QColor& colour, bool dense)
{
    QCPGraph* graph = plot->addGraph();
    graph->setName(name);
    QPen pen(colour, 2);
    if (dense)
        pen.setStyle(Qt::DashLine);
    graph->setPen(pen);
    graph->setScatterStyle(
        QCPScatterStyle(dense ? QCPScatterStyle::ssSquare : QCPScatterStyle::ssCircle, colour, Qt::white, 7));
    return graph;
}

// Fills `graph` with `points` in key order (the order QCustomPlot keeps), the hover texts alongside, and min–max
// error bars when `spread` is set.
void fillLine(QCPGraph* graph, std::vector<LinePoint> points, bool spread)
{
    std::sort(points.begin(), points.end(), [](const LinePoint& a, const LinePoint& b) { return a.key < b.key; });
    QStringList texts;
    QVector<double> below;
    QVector<double> above;
    for (const LinePoint& point : points) {
        graph->addData(point.key, point.value);
        texts << point.text;
        below << std::max(0.0, point.value - point.minimum);
        above << std::max(0.0, point.maximum - point.value);
    }
    graph->setProperty(kPointTextsProperty, texts);
    if (!spread)
        return;
    auto* bars = new QCPErrorBars(graph->keyAxis(), graph->valueAxis());
    bars->removeFromLegend();
    bars->setDataPlottable(graph);
    bars->setData(below, above);
    bars->setPen(QPen(graph->pen().color(), 1));
    bars->setWhiskerWidth(6);
}

QString milliseconds(double ms)
{
    return QLocale().toString(ms, 'f', ms < 10 ? 3 : 1);
}

} // namespace

ProfilePlots::ProfilePlots(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->addStretch(1);
    auto* batchLabel = new QLabel(tr("Batch size shown:"), this);
    bar->addWidget(batchLabel);
    m_batchBox = new QComboBox(this);
    m_batchBox->setObjectName(QStringLiteral("plotBatch"));
    m_batchBox->setToolTip(tr("The line plots show one batch size at a time"));
    connect(m_batchBox, &QComboBox::activated, this,
        [this](int index) { showBatch(m_batchBox->itemData(index).toLongLong()); });
    bar->addWidget(m_batchBox);
    layout->addLayout(bar);

    m_latency = makeProfilePlot(this, tr("Forward latency"), tr("sequence length (tokens)"), tr("median time (ms)"));
    setLogAxis(m_latency->xAxis);
    setLogAxis(m_latency->yAxis);
    m_speedup = makeProfilePlot(this, tr("Speedup over dense"), tr("sequence length (tokens)"), tr("dense / sparse"));
    setLogAxis(m_speedup->xAxis);
    auto* breakEven = new QCPItemStraightLine(m_speedup);
    breakEven->point1->setCoords(1, 1);
    breakEven->point2->setCoords(2, 1);
    breakEven->setPen(QPen(QColor(0x99, 0x99, 0x99), 1, Qt::DotLine));
    breakEven->setClipToAxisRect(true);
    m_memory = makeProfilePlot(this, tr("Peak memory added"), tr("sequence length (tokens)"), tr("MiB"));
    setLogAxis(m_memory->xAxis);
    m_layers = makeProfilePlot(this, tr("Per layer"), tr("layer"), tr("median time (ms)"));
    m_layers->legend->setWrap(2);
    m_layerGroup = new QCPBarsGroup(m_layers);
    m_layerGroup->setSpacing(2);

    auto* grid = new QGridLayout;
    grid->setSpacing(6);
    grid->addWidget(m_latency, 0, 0);
    grid->addWidget(m_speedup, 0, 1);
    grid->addWidget(m_memory, 1, 0);
    grid->addWidget(m_layers, 1, 1);
    m_quality = new QualityPlot(this);
    m_quality->setObjectName(QStringLiteral("qualityPlot"));
    m_quality->hide(); // until a sweep has scored a text
    grid->addWidget(m_quality, 2, 0, 1, 2);
    layout->addLayout(grid, 1);
    for (QCustomPlot* plot : { m_latency, m_speedup, m_memory, m_layers, m_quality->plot() })
        connect(plot, &QCustomPlot::mouseMove, this,
            [this, plot](QMouseEvent* event) { onMouseMoved(plot, event->position()); });
    showLayers(std::nullopt);
    rebuild();
}

void ProfilePlots::setPoints(const std::vector<ProfilePoint>& points)
{
    m_points = points;
    updateBatchBox();
    m_quality->setPoints(points);
    m_quality->setVisible(m_quality->hasQuality());
    rebuild();
}

void ProfilePlots::setOverlays(std::vector<PlotOverlay> overlays)
{
    m_overlays = std::move(overlays);
    rebuild();
}

void ProfilePlots::showBatch(std::int64_t batch)
{
    m_batch = batch;
    updateBatchBox();
    rebuild();
}

void ProfilePlots::updateBatchBox()
{
    std::vector<std::int64_t> batches;
    for (const ProfilePoint& point : m_points)
        if (std::find(batches.begin(), batches.end(), point.batch) == batches.end())
            batches.push_back(point.batch);
    if (!batches.empty() && std::find(batches.begin(), batches.end(), m_batch) == batches.end())
        m_batch = batches.front();
    const QSignalBlocker blocker(m_batchBox);
    m_batchBox->clear();
    for (std::int64_t batch : batches)
        m_batchBox->addItem(QString::number(batch), qlonglong(batch));
    m_batchBox->setCurrentIndex(m_batchBox->findData(qlonglong(m_batch)));
    m_batchBox->setEnabled(batches.size() > 1);
}

void ProfilePlots::rebuild()
{
    m_quality->showBatch(m_batch);
    for (QCustomPlot* plot : { m_latency, m_speedup, m_memory })
        plot->clearPlottables();
    // Series in the order layouts first appear; dense is measured once per (length, batch).
    std::vector<std::string> layouts;
    std::map<std::int64_t, const ProfilePoint*> denseByLength;
    for (const ProfilePoint& point : m_points) {
        if (point.batch != m_batch)
            continue;
        if (std::find(layouts.begin(), layouts.end(), point.layout) == layouts.end())
            layouts.push_back(point.layout);
        denseByLength.emplace(point.seqLen, &point);
    }
    const QLocale locale;
    auto where = [&](const QString& name, const ProfilePoint& point) {
        return tr("%1 · %2 tokens · batch %3").arg(name, locale.toString(qlonglong(point.seqLen))).arg(point.batch);
    };
    auto latency = [&](const QString& name, const ProfilePoint& point, const TimingStats& time) {
        return LinePoint { double(point.seqLen), time.medianMs, time.minMs, time.maxMs,
            tr("%1: median %2 ms (min %3, max %4)")
                .arg(where(name, point), milliseconds(time.medianMs), milliseconds(time.minMs),
                    milliseconds(time.maxMs)) };
    };
    auto memory = [&](const QString& name, const ProfilePoint& point, double mib) {
        return LinePoint { double(point.seqLen), mib, mib, mib,
            tr("%1: %2 MiB added at peak").arg(where(name, point), locale.toString(mib, 'f', 1)) };
    };
    if (!denseByLength.empty()) {
        std::vector<LinePoint> times;
        std::vector<LinePoint> memories;
        for (const auto& [length, point] : denseByLength) {
            times.push_back(latency(tr("dense"), *point, point->dense.time));
            memories.push_back(memory(tr("dense"), *point, point->dense.peakMiB));
        }
        fillLine(addLine(m_latency, tr("dense"), kDenseColour, true), times, true);
        fillLine(addLine(m_memory, tr("dense"), kDenseColour, true), memories, false);
    }
    for (std::size_t i = 0; i < layouts.size(); ++i) {
        const QString name = QString::fromStdString(layouts[i]);
        const QColor colour = layoutColour(int(i));
        std::vector<LinePoint> times;
        std::vector<LinePoint> speedups;
        std::vector<LinePoint> memories;
        for (const ProfilePoint& point : m_points) {
            if (point.batch != m_batch || point.layout != layouts[i])
                continue;
            times.push_back(latency(name, point, point.sparse.time));
            speedups.push_back({ double(point.seqLen), point.speedup, point.speedup, point.speedup,
                tr("%1: %2× dense's speed (dense %3 ms, sparse %4 ms)")
                    .arg(where(name, point), locale.toString(point.speedup, 'f', 2),
                        milliseconds(point.dense.time.medianMs), milliseconds(point.sparse.time.medianMs)) });
            memories.push_back(memory(name, point, point.sparse.peakMiB));
        }
        fillLine(addLine(m_latency, name, colour, false), times, true);
        fillLine(addLine(m_speedup, name, colour, false), speedups, false);
        fillLine(addLine(m_memory, name, colour, false), memories, false);
    }
    // Earlier runs: each layout in its colour in the current run (or the next free one), lighter and dotted.
    std::vector<double> lengths;
    for (const auto& entry : denseByLength)
        lengths.push_back(double(entry.first));
    for (const PlotOverlay& overlay : m_overlays) {
        std::vector<std::string> overlayLayouts;
        for (const ProfilePoint& point : overlay.points)
            if (point.batch == m_batch
                && std::find(overlayLayouts.begin(), overlayLayouts.end(), point.layout) == overlayLayouts.end())
                overlayLayouts.push_back(point.layout);
        for (const std::string& layout : overlayLayouts) {
            auto known = std::find(layouts.begin(), layouts.end(), layout);
            if (known == layouts.end())
                known = layouts.insert(layouts.end(), layout);
            QColor colour = layoutColour(int(known - layouts.begin())).lighter(140);
            const QString name = tr("%1 · %2").arg(QString::fromStdString(layout), overlay.label);
            std::vector<LinePoint> times;
            std::vector<LinePoint> speedups;
            for (const ProfilePoint& point : overlay.points) {
                if (point.batch != m_batch || point.layout != layout)
                    continue;
                times.push_back(latency(name, point, point.sparse.time));
                speedups.push_back({ double(point.seqLen), point.speedup, point.speedup, point.speedup,
                    tr("%1: %2× dense's speed").arg(where(name, point), locale.toString(point.speedup, 'f', 2)) });
                if (std::find(lengths.begin(), lengths.end(), double(point.seqLen)) == lengths.end())
                    lengths.push_back(double(point.seqLen));
            }
            for (auto [plot, points] : { std::pair { m_latency, &times }, std::pair { m_speedup, &speedups } }) {
                QCPGraph* graph = addLine(plot, name, colour, false);
                QPen pen = graph->pen();
                pen.setStyle(Qt::DotLine);
                graph->setPen(pen);
                graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, colour, Qt::white, 7));
                fillLine(graph, *points, false);
            }
        }
    }
    std::sort(lengths.begin(), lengths.end());
    for (QCustomPlot* plot : { m_latency, m_speedup, m_memory }) {
        fitAxis(plot->xAxis);
        fitAxis(plot->yAxis, plot == m_speedup);
        setTicks(plot->xAxis, lengths);
        plot->legend->setVisible(plot->graphCount() > 0);
        if (plot->yAxis->scaleType() == QCPAxis::stLogarithmic)
            setLogTicks(plot->yAxis);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void ProfilePlots::showLayers(const std::optional<ProfilePoint>& point)
{
    m_layers->clearPlottables();
    auto* title = qobject_cast<QCPTextElement*>(m_layers->plotLayout()->element(0, 0));
    if (!point) {
        if (title)
            title->setText(tr("Per layer — select a result in the table"));
        m_layers->legend->setVisible(false);
        m_layers->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    m_layersBatch = point->batch;
    if (title)
        title->setText(tr("Per layer — %1 tokens, batch %2, %3")
                           .arg(point->seqLen)
                           .arg(point->batch)
                           .arg(QString::fromStdString(point->layout)));
    auto makeBars = [&](const QString& name, const QColor& colour) {
        auto* bars = new QCPBars(m_layers->xAxis, m_layers->yAxis);
        bars->setName(name);
        bars->setPen(QPen(colour.darker(120)));
        bars->setBrush(colour);
        bars->setWidth(0.35);
        bars->setBarsGroup(m_layerGroup);
        return bars;
    };
    QCPBars* denseAttention = makeBars(tr("dense: attention"), QColor(0x6b, 0x6b, 0x6b));
    QCPBars* denseOther = makeBars(tr("dense: rest of layer"), QColor(0xc4, 0xc4, 0xc4));
    // The sparse bars take the layout's colour in the line plots.
    std::vector<std::string> layouts;
    for (const ProfilePoint& p : m_points)
        if (std::find(layouts.begin(), layouts.end(), p.layout) == layouts.end())
            layouts.push_back(p.layout);
    const QColor sparseColour
        = layoutColour(int(std::find(layouts.begin(), layouts.end(), point->layout) - layouts.begin()));
    QCPBars* sparseAttention = makeBars(tr("sparse: attention"), sparseColour);
    QCPBars* sparseOther = makeBars(tr("sparse: rest of layer"), sparseColour.lighter(150));
    denseOther->moveAbove(denseAttention);
    sparseOther->moveAbove(sparseAttention);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    double highest = 0;
    auto addBar = [](QCPBars* bars, int layer, double ms) {
        bars->addData(layer, ms);
        QStringList texts = bars->property(kPointTextsProperty).toStringList();
        texts << tr("layer %1, %2: %3 ms").arg(layer).arg(bars->name(), milliseconds(ms));
        bars->setProperty(kPointTextsProperty, texts);
    };
    for (const LayerTiming& layer : point->dense.layers) {
        addBar(denseAttention, layer.layer, layer.attentionMs);
        addBar(denseOther, layer.layer, layer.otherMs);
        highest = std::max(highest, layer.attentionMs + layer.otherMs);
        ticker->addTick(layer.layer, QString::number(layer.layer));
    }
    for (const LayerTiming& layer : point->sparse.layers) {
        addBar(sparseAttention, layer.layer, layer.attentionMs);
        addBar(sparseOther, layer.layer, layer.otherMs);
        highest = std::max(highest, layer.attentionMs + layer.otherMs);
    }
    m_layers->xAxis->setTicker(ticker);
    const int layers = int(std::max(point->dense.layers.size(), point->sparse.layers.size()));
    m_layers->xAxis->setRange(-0.6, std::max(0, layers - 1) + 0.6);
    m_layers->yAxis->setRange(0, highest > 0 ? highest * 1.1 : 1);
    m_layers->legend->setVisible(true);
    m_layers->replot(QCustomPlot::rpQueuedReplot);
}

void ProfilePlots::setRunDescription(const QString& description)
{
    m_runDescription = description;
}

QStringList ProfilePlots::pngNames()
{
    return { QStringLiteral("profile-latency.png"), QStringLiteral("profile-speedup.png"),
        QStringLiteral("profile-memory.png"), QStringLiteral("profile-layers.png"),
        QStringLiteral("profile-quality.png") };
}

QString ProfilePlots::exportTitle(QCustomPlot* plot) const
{
    auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0));
    const QString text = title ? title->text() : QString();
    const std::int64_t batch = plot == m_layers ? m_layersBatch : m_batch;
    QStringList run;
    if (!m_runDescription.isEmpty())
        run << m_runDescription;
    run << tr("batch %1").arg(batch);
    return text + QLatin1Char('\n') + run.join(QStringLiteral(" · "));
}

bool ProfilePlots::savePngs(const QString& folder, QStringList* written, QString* error)
{
    // The speed-vs-quality plot only when the sweep scored a text.
    std::vector<QCustomPlot*> plots = { m_latency, m_speedup, m_memory, m_layers };
    if (m_quality->hasQuality())
        plots.push_back(m_quality->plot());
    const QStringList names = pngNames();
    for (std::size_t i = 0; i < plots.size(); ++i) {
        QCustomPlot* plot = plots[i];
        const QString file = QDir(folder).filePath(names[int(i)]);
        // The saved image says which run it shows; the title on screen stays short.
        auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0));
        const QString shown = title ? title->text() : QString();
        if (title)
            title->setText(exportTitle(plot));
        // A fixed size, so that exports read the same whatever the window's size.
        const bool saved = plot->savePng(file, 900, 600, 1.5);
        if (title)
            title->setText(shown);
        plot->replot(QCustomPlot::rpQueuedReplot);
        if (!saved) {
            if (error)
                *error = tr("Cannot write %1").arg(file);
            return false;
        }
        if (written)
            written->append(file);
    }
    return true;
}

QString ProfilePlots::describePointAt(QCustomPlot* plot, const QPointF& position) const
{
    return readoutAt(plot, position);
}

void ProfilePlots::onMouseMoved(QCustomPlot* plot, const QPointF& position)
{
    const QString readout = describePointAt(plot, position);
    if (readout == m_hovered)
        return;
    m_hovered = readout;
    if (readout.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(plot->mapToGlobal(position.toPoint()), readout, plot);
    Q_EMIT pointHovered(readout);
}

} // namespace spw::ui
