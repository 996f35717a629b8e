#pragma once
// A small bar chart of the drift report: the largest and the mean absolute difference of each output.
#include "convert/conversion_jobs.h"

#include <QWidget>

class QCustomPlot;

namespace spw::ui {

class DriftChart : public QWidget {
    Q_OBJECT
public:
    explicit DriftChart(QWidget* parent = nullptr);
    void showDrift(const QVector<DriftRow>& rows);
    QCustomPlot* plot() const { return m_plot; }

private:
    QCustomPlot* m_plot = nullptr;
};

} // namespace spw::ui
