#pragma once
// The Profile page's four plots, redrawn from the points as they arrive (replots queued, so a burst of points is
// drawn once):
//   latency vs sequence length: dense and each layout (log-log);
//   speedup vs length: one line per layout, with the break-even line at 1×;
//   peak memory vs length: dense and each layout;
//   per-layer breakdown of one chosen result: self-attention vs the rest of the layer, dense and sparse stacked bars;
//   and, when the sweep scored a quality text, speed vs quality at one length (QualityPlot), under them.
// With several batch sizes, the line plots show the batch chosen in the batch box. Legends sit under the plots,
// never over a point; latency points carry min–max error bars over the timed repeats; hovering a point shows its
// numbers. Saved images carry the run (model, device, dtype, batch) in their titles.
#include "profile/profile_types.h"

#include <QStringList>
#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QCPBarsGroup;
class QCustomPlot;
class QPointF;

namespace spw::ui {

class QualityPlot;

// An earlier sweep drawn under the current one: its layouts' latency and speedup, dotted.
struct PlotOverlay {
    QString label; // "run of 3 Dec 13:05"
    std::vector<ProfilePoint> points;
};

class ProfilePlots : public QWidget {
    Q_OBJECT
public:
    explicit ProfilePlots(QWidget* parent = nullptr);

    void setPoints(const std::vector<ProfilePoint>& points);
    void setOverlays(std::vector<PlotOverlay> overlays);
    // The per-layer plot shows `point` (nullopt: empty, with a hint).
    void showLayers(const std::optional<ProfilePoint>& point);

    // What the saved images' titles say about the run: "model · device dtype" (the batch is added per plot).
    void setRunDescription(const QString& description);
    // Writes one PNG per plot into `folder`: profile-latency.png, -speedup.png, -memory.png, -layers.png, and
    // -quality.png when the sweep scored a text.
    // Returns the files written; false with the reason in *error when one cannot be written.
    bool savePngs(const QString& folder, QStringList* written, QString* error);
    static QStringList pngNames();
    // The title a saved image of `plot` carries.
    QString exportTitle(QCustomPlot* plot) const;

    // The readout of the point (or bar) of `plot` within a few pixels of `position`, or empty.
    QString describePointAt(QCustomPlot* plot, const QPointF& position) const;

    std::int64_t shownBatch() const { return m_batch; }
    void showBatch(std::int64_t batch);

    QCustomPlot* latencyPlot() const { return m_latency; }
    QCustomPlot* speedupPlot() const { return m_speedup; }
    QCustomPlot* memoryPlot() const { return m_memory; }
    QCustomPlot* layersPlot() const { return m_layers; }
    QualityPlot* qualityPlot() const { return m_quality; }
    QComboBox* batchBox() const { return m_batchBox; }

Q_SIGNALS:
    // The mouse moved onto another point; empty when it left every point.
    void pointHovered(const QString& readout);

private:
    void rebuild();
    void onMouseMoved(QCustomPlot* plot, const QPointF& position);
    void updateBatchBox();

    std::vector<ProfilePoint> m_points;
    std::vector<PlotOverlay> m_overlays;
    std::int64_t m_batch = 0;
    std::int64_t m_layersBatch = 0; // the batch of the result the per-layer plot shows
    QString m_runDescription;
    QString m_hovered;
    QComboBox* m_batchBox = nullptr;
    QCustomPlot* m_latency = nullptr;
    QCustomPlot* m_speedup = nullptr;
    QCustomPlot* m_memory = nullptr;
    QCustomPlot* m_layers = nullptr;
    QCPBarsGroup* m_layerGroup = nullptr; // dense and sparse bars side by side per layer
    QualityPlot* m_quality = nullptr;
};

} // namespace spw::ui
