#pragma once
// One head of a layout as a block-level heatmap: row 0 on top, axes in blocks (bottom, left) and tokens (top,
// right) spanning exactly the layout in a square axis rect, a categorical colour scale (not attended / local /
// global / random / dense), and a hover line naming the block under the mouse, its token ranges and the rule that
// set it.
#include <QWidget>

#include <memory>

class QCPColorMap;
class QCPColorMapData;
class QCPColorScale;
class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace spw::ui {

class LayoutHeatmap : public QWidget {
    Q_OBJECT
public:
    explicit LayoutHeatmap(QWidget* parent = nullptr);

    // Takes `data` (from buildHeatmapData) without copying it.
    void showHeatmap(std::unique_ptr<QCPColorMapData> data, int numBlocks, int block, const QString& title);
    // "row r, col c (tokens a–b × c–d): global"; empty outside the layout.
    QString describeBlock(int row, int col) const;
    int numBlocks() const { return m_numBlocks; }
    // The category value shown at block (row, col), or -1 outside.
    int categoryAt(int row, int col) const;
    QCustomPlot* plot() const { return m_plot; }

Q_SIGNALS:
    void blockHovered(const QString& description);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void onMouseMoved(QMouseEvent* event);
    void fitPlot();
    void syncTokenAxes();

    QWidget* m_frame = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_hover = nullptr;
    int m_numBlocks = 0;
    int m_block = 1;
    bool m_fitting = false; // fitPlot resizes and replots, which must not start another fit
};

} // namespace spw::ui
