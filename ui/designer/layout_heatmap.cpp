#include "designer/layout_heatmap.h"

#include "designer/heatmap_data.h"
#include "workbench_settings.h"

#include "qcustomplot_include.h"
#include <QAction>
#include <QEvent>
#include <QFileDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace spw::ui {
namespace {

// One colour per BlockCategory, in its order; chosen to stay distinct for colour-blind viewers.
const QColor kCategoryColours[kBlockCategoryCount] = {
    QColor(0xf2, 0xf3, 0xf5), // not attended
    QColor(0x3b, 0x75, 0xaf), // local
    QColor(0xe8, 0x83, 0x3a), // global
    QColor(0x2e, 0x9e, 0x6e), // random
    QColor(0x7b, 0x68, 0xa6), // dense
};

// A piecewise-constant gradient: category i fills [i/5, (i+1)/5) of the gradient, and the colour scale spans
// -0.5..4.5, so each value lands in the middle of its own band and the bar reads as a legend.
QCPColorGradient categoryGradient()
{
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (int i = 0; i < kBlockCategoryCount; ++i) {
        gradient.setColorStopAt(double(i) / kBlockCategoryCount, kCategoryColours[i]);
        gradient.setColorStopAt(double(i + 1) / kBlockCategoryCount - 1e-6, kCategoryColours[i]);
    }
    gradient.setLevelCount(1000);
    return gradient;
}

// The fewest blocks a zoom may show along an axis: closer than that the blocks are just big squares.
constexpr int kMinimumZoomBlocks = 4;
// How long the view must rest before finer cells are asked for: a wheel zoom is a burst of range changes.
constexpr int kDetailDelayMs = 60;

} // namespace

LayoutHeatmap::LayoutHeatmap(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    m_detailTimer = new QTimer(this);
    m_detailTimer->setSingleShot(true);
    m_detailTimer->setInterval(kDetailDelayMs);
    connect(m_detailTimer, &QTimer::timeout, this, &LayoutHeatmap::checkDetail);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("heatmapTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    layout->addWidget(m_title);
    // The plot sits in a frame that sizes it so the axis rect is square: blocks stay square while both axes span
    // exactly the layout, with no blank bands.
    m_frame = new QWidget(this);
    m_frame->setMinimumSize(320, 320);
    // The frame shares the plot's white, so the square plot reads as centred in one panel.
    QPalette framePalette = m_frame->palette();
    framePalette.setColor(QPalette::Window, Qt::white);
    m_frame->setPalette(framePalette);
    m_frame->setAutoFillBackground(true);
    m_frame->installEventFilter(this);
    m_plot->setParent(m_frame);
    layout->addWidget(m_frame, 1);
    m_hover = new QLabel(this);
    m_hover->setObjectName(QStringLiteral("hover"));
    m_hover->setText(tr("Hover over a block to see its rows, columns and rule."));
    layout->addWidget(m_hover);

    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setFocusPolicy(Qt::ClickFocus);
    m_plot->installEventFilter(this);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    m_plot->xAxis->setLabel(tr("key block"));
    m_plot->yAxis->setLabel(tr("query block"));
    m_plot->yAxis->setRangeReversed(true); // row 0 on top, as attention matrices are drawn
    m_plot->xAxis2->setVisible(true);
    m_plot->yAxis2->setVisible(true);
    m_plot->xAxis2->setLabel(tr("key token"));
    m_plot->yAxis2->setLabel(tr("query token"));
    m_plot->yAxis2->setRangeReversed(true);
    for (QCPAxis* axis : { m_plot->xAxis, m_plot->yAxis, m_plot->xAxis2, m_plot->yAxis2 }) {
        axis->grid()->setVisible(false);
        axis->setTickLabelColor(QColor(0x40, 0x40, 0x40));
    }

    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false); // blocks are blocks: no smoothing between neighbours
    m_map->setTightBoundary(false);
    m_map->setGradient(categoryGradient());
    m_map->setDataRange(QCPRange(-0.5, kBlockCategoryCount - 0.5));

    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(14);
    m_map->setColorScale(m_scale); // after setDataRange, which the scale adopts
    m_scale->setDataRange(QCPRange(-0.5, kBlockCategoryCount - 0.5));
    m_scale->setGradient(categoryGradient());
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < kBlockCategoryCount; ++i)
        ticker->addTick(i, categoryName(BlockCategory(i)));
    m_scale->axis()->setTicker(ticker);
    m_scale->axis()->setSubTicks(false);
    m_scale->axis()->setTickLength(0, 0);

    // The colour bar spans exactly the plot's height.
    auto* margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    for (QCPAxis* axis : { m_plot->xAxis, m_plot->yAxis })
        connect(axis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this, axis] {
            QCPRange range = axis->range();
            keepInside(range);
            if (range != axis->range()) {
                axis->setRange(range); // comes back here, inside the bounds
                return;
            }
            syncTokenAxes();
            m_detailTimer->start();
        });
    connect(m_plot, &QCustomPlot::mouseMove, this, &LayoutHeatmap::onMouseMoved);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, &LayoutHeatmap::resetZoom);

    m_resetZoom = new QAction(tr("Reset zoom"), this);
    m_resetZoom->setObjectName(QStringLiteral("resetZoom"));
    m_resetZoom->setShortcut(QKeySequence(Qt::Key_Home));
    m_resetZoom->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_resetZoom, &QAction::triggered, this, &LayoutHeatmap::resetZoom);
    addAction(m_resetZoom);
    m_saveImage = new QAction(tr("Save image…"), this);
    m_saveImage->setObjectName(QStringLiteral("saveImage"));
    connect(m_saveImage, &QAction::triggered, this, &LayoutHeatmap::chooseImageFile);
    addAction(m_saveImage);
    connect(m_plot, &QWidget::customContextMenuRequested, this, [this](const QPoint& position) {
        QMenu menu(this);
        menu.addActions(actions());
        menu.exec(m_plot->mapToGlobal(position));
    });
}

bool LayoutHeatmap::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_frame && event->type() == QEvent::Resize)
        fitPlot();
    if (watched == m_plot && event->type() == QEvent::KeyPress
        && static_cast<QKeyEvent*>(event)->key() == Qt::Key_Home) {
        resetZoom();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void LayoutHeatmap::fitPlot()
{
    if (m_fitting)
        return;
    m_fitting = true;
    // What the plot spends outside its axis rect (axes, tick labels, colour scale) is known only once it has been
    // laid out: lay it out over the whole frame, measure, and give it the size whose axis rect is square. Tick
    // labels can differ slightly at the new size, so measure and fit once more.
    const QRect area = m_frame->rect();
    // setViewport as well: a hidden widget gets its resize event only when shown, and replot lays out the viewport.
    auto place = [this](const QRect& geometry) {
        m_plot->setGeometry(geometry);
        m_plot->setViewport(QRect(QPoint(0, 0), geometry.size()));
    };
    place(area);
    for (int pass = 0; pass < 2; ++pass) {
        m_plot->replot(QCustomPlot::rpImmediateRefresh);
        const QRect axisRect = m_plot->axisRect()->rect();
        const int extraWidth = m_plot->width() - axisRect.width();
        const int extraHeight = m_plot->height() - axisRect.height();
        const int side = std::max(64, std::min(area.width() - extraWidth, area.height() - extraHeight));
        QRect target(QPoint(0, 0),
            QSize(std::min(area.width(), side + extraWidth), std::min(area.height(), side + extraHeight)));
        target.moveCenter(area.center());
        place(target);
    }
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
    m_fitting = false;
    // Another size holds another number of cells.
    m_detailTimer->start();
}

void LayoutHeatmap::showHeatmap(std::unique_ptr<QCPColorMapData> data, std::shared_ptr<const Layout> layout, int head,
    const BlockWindow& window, const QString& title)
{
    m_layout = std::move(layout);
    m_head = head;
    m_numBlocks = m_layout->numBlocks;
    m_block = m_layout->block;
    m_window = window;
    m_requested = {};
    m_requestedCells = 0;
    m_map->setData(data.release(), false);
    m_map->setDataRange(QCPRange(-0.5, kBlockCategoryCount - 0.5));
    m_title->setText(title);
    resetZoom();
    // Another block count means other tick labels, hence other margins around the square.
    fitPlot();
    // The block under a resting mouse may have changed its rule.
    if (m_hoverRow >= 0)
        hoverBlock(m_hoverRow, m_hoverCol);
}

void LayoutHeatmap::showDetail(std::unique_ptr<QCPColorMapData> data, const std::shared_ptr<const Layout>& layout,
    int head, const BlockWindow& window)
{
    if (layout != m_layout || head != m_head)
        return;
    m_window = window;
    m_map->setData(data.release(), false);
    m_map->setDataRange(QCPRange(-0.5, kBlockCategoryCount - 0.5));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    Q_EMIT detailShown();
}

void LayoutHeatmap::resetZoom()
{
    m_plot->xAxis->setRange(-0.5, m_numBlocks - 0.5);
    m_plot->yAxis->setRange(-0.5, m_numBlocks - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LayoutHeatmap::keepInside(QCPRange& range) const
{
    if (m_numBlocks <= 0)
        return;
    // A range already inside is left exactly as it is, so that setting it back does not loop.
    constexpr double kSlack = 1e-9;
    const double lower = -0.5;
    const double upper = m_numBlocks - 0.5;
    const double minimum = std::min<double>(kMinimumZoomBlocks, m_numBlocks);
    if (range.size() > upper - lower + kSlack) {
        range = QCPRange(lower, upper);
        return;
    }
    if (range.size() < minimum - kSlack) {
        const double centre = range.center();
        range = QCPRange(centre - minimum / 2, centre + minimum / 2);
    }
    if (range.lower < lower - kSlack)
        range = QCPRange(lower, lower + range.size());
    if (range.upper > upper + kSlack)
        range = QCPRange(upper - range.size(), upper);
}

BlockWindow LayoutHeatmap::visibleWindow() const
{
    auto blocks = [this](const QCPRange& range) {
        const int first = std::clamp(int(std::floor(range.lower + 0.5)), 0, std::max(0, m_numBlocks - 1));
        const int last = std::clamp(int(std::ceil(range.upper - 0.5)), first, std::max(0, m_numBlocks - 1));
        return std::pair { first, last - first + 1 };
    };
    const auto [firstCol, cols] = blocks(m_plot->xAxis->range());
    const auto [firstRow, rows] = blocks(m_plot->yAxis->range());
    return { firstRow, firstCol, rows, cols };
}

int LayoutHeatmap::cellsAcross() const
{
    const QRect rect = m_plot->axisRect()->rect();
    const double pixels = std::min(rect.width(), rect.height()) * m_plot->devicePixelRatioF();
    return std::max(64, int(pixels));
}

int LayoutHeatmap::blocksPerCell() const
{
    const QCPColorMapData* data = m_map->data();
    const int cells = std::max(data->keySize(), data->valueSize());
    const int blocks = std::max(m_window.rows, m_window.cols);
    return cells > 0 ? (blocks + cells - 1) / cells : 1;
}

void LayoutHeatmap::checkDetail()
{
    if (!m_layout)
        return;
    const BlockWindow visible = visibleWindow();
    const int cells = cellsAcross();
    const int needed = (std::max(visible.rows, visible.cols) + cells - 1) / cells;
    const bool covered = visible.firstRow >= m_window.firstRow && visible.firstCol >= m_window.firstCol
        && visible.firstRow + visible.rows <= m_window.firstRow + m_window.rows
        && visible.firstCol + visible.cols <= m_window.firstCol + m_window.cols;
    // Coarser cells than needed hide detail; finer ones than the pixels would be dropped when drawn.
    if (covered && blocksPerCell() == needed)
        return;
    if (visible == m_requested && cells == m_requestedCells)
        return;
    m_requested = visible;
    m_requestedCells = cells;
    Q_EMIT detailWanted(visible, cells);
}

bool LayoutHeatmap::saveImage(const QString& path) const
{
    // The title and the plot, not the hover line under them.
    const QPixmap image
        = const_cast<LayoutHeatmap*>(this)->grab(QRect(QPoint(0, 0), QSize(width(), m_frame->geometry().bottom() + 1)));
    return image.save(path, "PNG");
}

void LayoutHeatmap::chooseImageFile()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save heatmap image"),
        dialogStart(QStringLiteral("saveHeatmap"), QStringLiteral("layout.png")), tr("PNG (*.png)"));
    if (path.isEmpty())
        return;
    rememberDialogFolder(QStringLiteral("saveHeatmap"), path);
    if (saveImage(path))
        Q_EMIT imageSaved(path);
}

void LayoutHeatmap::syncTokenAxes()
{
    // Block b covers tokens [b·block, (b+1)·block); on the block axis it is the cell b-0.5..b+0.5.
    auto toTokens = [this](const QCPRange& range) {
        return QCPRange((range.lower + 0.5) * m_block, (range.upper + 0.5) * m_block);
    };
    m_plot->xAxis2->setRange(toTokens(m_plot->xAxis->range()));
    m_plot->yAxis2->setRange(toTokens(m_plot->yAxis->range()));
}

int LayoutHeatmap::categoryAt(int row, int col) const
{
    if (row < 0 || col < 0 || row >= m_numBlocks || col >= m_numBlocks)
        return -1;
    return int(std::lround(m_map->data()->data(col, row)));
}

QString LayoutHeatmap::describeBlock(int row, int col) const
{
    if (!m_layout || row < 0 || col < 0 || row >= m_numBlocks || col >= m_numBlocks)
        return {};
    const std::size_t index = m_layout->index(m_head, row, col);
    const BlockSource source = m_layout->mask[index] ? m_layout->source[index] : BlockSource::None;
    const qint64 block = m_block;
    return QStringLiteral("row %1, col %2 (tokens %3–%4 × %5–%6): %7")
        .arg(row)
        .arg(col)
        .arg(row * block)
        .arg((row + 1) * block - 1)
        .arg(col * block)
        .arg((col + 1) * block - 1)
        .arg(categoryName(categoryOf(source)));
}

void LayoutHeatmap::onMouseMoved(QMouseEvent* event)
{
    const QPointF position = event->position();
    const int col = int(std::lround(m_plot->xAxis->pixelToCoord(position.x())));
    const int row = int(std::lround(m_plot->yAxis->pixelToCoord(position.y())));
    if ((row == m_hoverRow && col == m_hoverCol) || describeBlock(row, col).isEmpty())
        return;
    hoverBlock(row, col);
    QToolTip::showText(m_plot->mapToGlobal(position.toPoint()), m_hover->text(), m_plot);
}

void LayoutHeatmap::hoverBlock(int row, int col)
{
    const QString text = describeBlock(row, col);
    if (text.isEmpty())
        return;
    m_hoverRow = row;
    m_hoverCol = col;
    m_hover->setText(text);
    Q_EMIT blockHovered(text);
}

} // namespace spw::ui
