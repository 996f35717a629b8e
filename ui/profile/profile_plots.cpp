#include "profile/profile_plots.h"

#include "qcustomplot_include.h"
#include <QComboBox>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

namespace spw::ui {
namespace {

const QColor kDenseColour(0x4a, 0x4a, 0x4a);
// Distinct for colour-blind viewers; a sweep with more layouts than this reuses them.
const QColor kLayoutColours[]
    = { QColor(0x3b, 0x75, 0xaf), QColor(0xe8, 0x83, 0x3a), QColor(0x2e, 0x9e, 0x6e), QColor(0xc0, 0x3d, 0x3e),
          QColor(0x7b, 0x68, 0xa6), QColor(0x8c, 0x61, 0x3c), QColor(0xd5, 0x7f, 0xbe), QColor(0x9a, 0x9b, 0x1e) };

QColor layoutColour(int index)
{
    return kLayoutColours[index % int(std::size(kLayoutColours))];
}

QCustomPlot* makePlot(QWidget* parent, const QString& title, const QString& xLabel, const QString& yLabel)
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
    plot->legend->setVisible(true);
    QFont legendFont = plot->font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.9);
    plot->legend->setFont(legendFont);
    plot->legend->setBrush(QColor(255, 255, 255, 220));
    plot->legend->setBorderPen(QPen(QColor(0xcc, 0xcc, 0xcc)));
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    return plot;
}

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

// Rescales to the data with a margin; a log axis gets a multiplicative one and a lone value a range around it.
void fitAxis(QCPAxis* axis, bool includeOne = false)
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

    m_latency = makePlot(this, tr("Forward latency"), tr("sequence length (tokens)"), tr("median time (ms)"));
    setLogAxis(m_latency->xAxis);
    setLogAxis(m_latency->yAxis);
    m_speedup = makePlot(this, tr("Speedup over dense"), tr("sequence length (tokens)"), tr("dense / sparse"));
    setLogAxis(m_speedup->xAxis);
    auto* breakEven = new QCPItemStraightLine(m_speedup);
    breakEven->point1->setCoords(1, 1);
    breakEven->point2->setCoords(2, 1);
    breakEven->setPen(QPen(QColor(0x99, 0x99, 0x99), 1, Qt::DotLine));
    breakEven->setClipToAxisRect(true);
    m_memory = makePlot(this, tr("Peak memory added"), tr("sequence length (tokens)"), tr("MiB"));
    setLogAxis(m_memory->xAxis);
    m_layers = makePlot(this, tr("Per layer"), tr("layer"), tr("median time (ms)"));
    // The legend sits right of the bars, which fill the plot's width.
    m_layers->axisRect()->insetLayout()->take(m_layers->legend);
    m_layers->axisRect()->insetLayout()->simplify();
    auto* side = new QCPLayoutGrid;
    m_layers->plotLayout()->addElement(1, 1, side);
    m_layers->plotLayout()->setColumnStretchFactor(1, 0.001);
    side->addElement(0, 0, m_layers->legend);
    side->addElement(1, 0, new QCPLayoutElement(m_layers)); // keeps the legend at the top
    side->setRowStretchFactor(0, 0.001);
    m_layers->legend->setMargins(QMargins(6, 6, 6, 6));
    m_layerGroup = new QCPBarsGroup(m_layers);
    m_layerGroup->setSpacing(2);

    auto* grid = new QGridLayout;
    grid->setSpacing(6);
    grid->addWidget(m_latency, 0, 0);
    grid->addWidget(m_speedup, 0, 1);
    grid->addWidget(m_memory, 1, 0);
    grid->addWidget(m_layers, 1, 1);
    layout->addLayout(grid, 1);
    showLayers(std::nullopt);
    rebuild();
}

void ProfilePlots::setPoints(const std::vector<ProfilePoint>& points)
{
    m_points = points;
    updateBatchBox();
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
    for (QCustomPlot* plot : { m_latency, m_speedup, m_memory })
        plot->clearGraphs();
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
    if (!denseByLength.empty()) {
        QCPGraph* denseTime = addLine(m_latency, tr("dense"), kDenseColour, true);
        QCPGraph* denseMemory = addLine(m_memory, tr("dense"), kDenseColour, true);
        for (const auto& [length, point] : denseByLength) {
            denseTime->addData(double(length), point->dense.time.medianMs);
            denseMemory->addData(double(length), point->dense.peakMiB);
        }
    }
    for (std::size_t i = 0; i < layouts.size(); ++i) {
        const QString name = QString::fromStdString(layouts[i]);
        const QColor colour = layoutColour(int(i));
        QCPGraph* time = addLine(m_latency, name, colour, false);
        QCPGraph* speedup = addLine(m_speedup, name, colour, false);
        QCPGraph* memory = addLine(m_memory, name, colour, false);
        for (const ProfilePoint& point : m_points) {
            if (point.batch != m_batch || point.layout != layouts[i])
                continue;
            const double length = double(point.seqLen);
            time->addData(length, point.sparse.time.medianMs);
            speedup->addData(length, point.speedup);
            memory->addData(length, point.sparse.peakMiB);
        }
    }
    std::vector<double> lengths;
    for (const auto& entry : denseByLength)
        lengths.push_back(double(entry.first));
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
    for (const LayerTiming& layer : point->dense.layers) {
        denseAttention->addData(layer.layer, layer.attentionMs);
        denseOther->addData(layer.layer, layer.otherMs);
        highest = std::max(highest, layer.attentionMs + layer.otherMs);
        ticker->addTick(layer.layer, QString::number(layer.layer));
    }
    for (const LayerTiming& layer : point->sparse.layers) {
        sparseAttention->addData(layer.layer, layer.attentionMs);
        sparseOther->addData(layer.layer, layer.otherMs);
        highest = std::max(highest, layer.attentionMs + layer.otherMs);
    }
    m_layers->xAxis->setTicker(ticker);
    const int layers = int(std::max(point->dense.layers.size(), point->sparse.layers.size()));
    m_layers->xAxis->setRange(-0.6, std::max(0, layers - 1) + 0.6);
    m_layers->yAxis->setRange(0, highest > 0 ? highest * 1.1 : 1);
    m_layers->legend->setVisible(true);
    m_layers->replot(QCustomPlot::rpQueuedReplot);
}

bool ProfilePlots::savePngs(const QString& path, QStringList* written, QString* error) const
{
    QString base = path;
    if (base.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
        base.chop(4);
    const std::pair<const char*, QCustomPlot*> plots[]
        = { { "latency", m_latency }, { "speedup", m_speedup }, { "memory", m_memory }, { "layers", m_layers } };
    for (const auto& [name, plot] : plots) {
        const QString file = QStringLiteral("%1-%2.png").arg(base, QLatin1String(name));
        // A fixed size, so that exports read the same whatever the window's size.
        if (!plot->savePng(file, 900, 600, 1.5)) {
            if (error)
                *error = tr("Cannot write %1").arg(file);
            return false;
        }
        if (written)
            written->append(file);
    }
    return true;
}

} // namespace spw::ui
