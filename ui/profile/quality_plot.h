#pragma once
// The Profile page's speed-vs-quality plot, for sweeps that scored a quality text: at one swept length and the batch
// size the other plots show, one point per layout and one for dense attention; x is the forward's time (ms) or its
// speed-up over dense, y the masked-LM accuracy or loss. The Pareto front (engine/profile/pareto_front.h: the points
// no other is both faster and better than) is drawn as a step line; hovering a point names its layout and numbers.
#include "profile/profile_types.h"

#include <QWidget>

#include <string>
#include <vector>

class QComboBox;
class QCustomPlot;
class QPointF;

namespace spw::ui {

class QualityPlot : public QWidget {
    Q_OBJECT
public:
    enum class Speed { Milliseconds, Speedup };
    enum class Quality { Accuracy, Loss };

    explicit QualityPlot(QWidget* parent = nullptr);

    // Every point of the sweep; those without quality are left out. Unless a length was chosen, the longest is shown.
    void setPoints(const std::vector<ProfilePoint>& points);
    void showBatch(std::int64_t batch);
    void showLength(std::int64_t length);
    void setAxes(Speed speed, Quality quality);
    // Whether any point has quality to show.
    bool hasQuality() const;

    std::int64_t shownLength() const { return m_length; }
    // The names on the Pareto front ("dense" for dense attention), by increasing x.
    std::vector<std::string> frontNames() const { return m_front; }
    QCustomPlot* plot() const { return m_plot; }
    QComboBox* lengthBox() const { return m_lengthBox; }
    QComboBox* speedBox() const { return m_speedBox; }
    QComboBox* qualityBox() const { return m_qualityBox; }

private:
    void rebuild();
    void updateLengthBox();

    std::vector<ProfilePoint> m_points;
    std::int64_t m_batch = 0;
    std::int64_t m_length = 0;
    bool m_lengthChosen = false; // by the user: kept while it has points
    std::vector<std::string> m_front;
    QComboBox* m_lengthBox = nullptr;
    QComboBox* m_speedBox = nullptr;
    QComboBox* m_qualityBox = nullptr;
    QCustomPlot* m_plot = nullptr;
};

} // namespace spw::ui
