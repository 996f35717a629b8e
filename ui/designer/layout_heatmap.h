#pragma once
// One head of a layout as a block-level heatmap: row 0 on top, axes in blocks (bottom, left) and tokens (top,
// right) spanning exactly the layout in a square axis rect, a categorical colour scale (not attended / local /
// global / random / dense), and a hover line (and tooltip) naming the block under the mouse, its token ranges and
// the rule that set it. The map never holds more cells than the plot has pixels: when a zoom or a resize needs
// finer or other cells it asks for them (detailWanted), and the page builds them off the GUI thread. Zoom stays
// inside the layout; double-click or Home resets it; the context menu resets it or saves the image.
#include "sparsity/layout_downsample.h"

#include <QWidget>

#include <memory>

class QAction;
class QCPColorMap;
class QCPColorMapData;
class QCPColorScale;
class QCPRange;
class QCustomPlot;
class QLabel;
class QMouseEvent;
class QTimer;

namespace spw::ui {

class LayoutHeatmap : public QWidget {
    Q_OBJECT
public:
    explicit LayoutHeatmap(QWidget* parent = nullptr);

    // Shows a new layout (or head), zoomed out. `data` (from buildHeatmapData over `window`) is taken without a
    // copy.
    void showHeatmap(std::unique_ptr<QCPColorMapData> data, std::shared_ptr<const Layout> layout, int head,
        const BlockWindow& window, const QString& title);
    // Replaces the cells with finer ones for the current view (the answer to detailWanted); keeps the zoom.
    // Ignored when `layout`/`head` are no longer the ones shown.
    void showDetail(std::unique_ptr<QCPColorMapData> data, const std::shared_ptr<const Layout>& layout, int head,
        const BlockWindow& window);

    // "row r, col c (tokens a–b × c–d): global", from the layout itself; empty outside the layout.
    QString describeBlock(int row, int col) const;
    int numBlocks() const { return m_numBlocks; }
    // The category value drawn at block (row, col), or -1 outside.
    int categoryAt(int row, int col) const;
    // How many cells fit along the plot's side: one per pixel.
    int cellsAcross() const;
    // The blocks the cells on screen cover, and how many blocks each cell pools.
    BlockWindow shownWindow() const { return m_window; }
    int blocksPerCell() const;
    // The blocks in view (rows and columns the axes show, clipped to the layout).
    BlockWindow visibleWindow() const;

    void resetZoom();
    // Writes the title and the heatmap as a PNG; false when the file cannot be written.
    bool saveImage(const QString& path) const;
    QAction* resetZoomAction() const { return m_resetZoom; }
    QAction* saveImageAction() const { return m_saveImage; }
    QCustomPlot* plot() const { return m_plot; }

Q_SIGNALS:
    // The mouse moved onto another block.
    void blockHovered(const QString& description);
    // The view needs cells for `window`, at most `cells` along its longer side.
    void detailWanted(const spw::BlockWindow& window, int cells);
    void detailShown();
    void imageSaved(const QString& path);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void onMouseMoved(QMouseEvent* event);
    void hoverBlock(int row, int col);
    void keepInside(QCPRange& range) const;
    void fitPlot();
    void syncTokenAxes();
    void checkDetail();
    void chooseImageFile();

    QWidget* m_frame = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_hover = nullptr;
    QAction* m_resetZoom = nullptr;
    QAction* m_saveImage = nullptr;
    QTimer* m_detailTimer = nullptr;
    std::shared_ptr<const Layout> m_layout;
    int m_head = 0;
    int m_numBlocks = 0;
    int m_block = 1;
    BlockWindow m_window; // what the cells on screen cover
    BlockWindow m_requested; // the last detailWanted, so that one view is asked for once
    int m_requestedCells = 0;
    int m_hoverRow = -1;
    int m_hoverCol = -1;
    bool m_fitting = false; // fitPlot resizes and replots, which must not start another fit
};

} // namespace spw::ui
