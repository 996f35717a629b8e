#pragma once
// The designer's statistics panel: totals for the whole layout on top, the per-head table below.
#include "sparsity/layout.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace spw::ui {

class LayoutStatsModel;

class LayoutStatsWidget : public QWidget {
    Q_OBJECT
public:
    explicit LayoutStatsWidget(QWidget* parent = nullptr);

    void showStats(const Layout& layout, const LayoutStats& stats);
    LayoutStatsModel* model() const { return m_model; }
    // The totals line, e.g. "1 234 of 4 096 blocks (30.13 %)".
    QString summaryText() const;
    // The width at which the table shows every figure whole: its columns share the width equally, so each gets
    // the widest text of any column (headers and the bold totals row included).
    int widthForFigures() const;
    QTableView* table() const { return m_table; }

private:
    LayoutStatsModel* m_model = nullptr;
    QTableView* m_table = nullptr;
    QLabel* m_blocks = nullptr;
    QLabel* m_flops = nullptr;
    QLabel* m_memory = nullptr;
    QLabel* m_scores = nullptr;
};

} // namespace spw::ui
