#pragma once
// The Convert & export page's output-drift results: how the sample text is filled to the comparison's length
// (repeated or padded), a note saying what was compared at which length, a warning when the sparse layout is dense
// at that length (no drift to expect), and the drift table and chart. Results whose inputs changed since (settings,
// sample text) stay on screen greyed, marked stale.
#include "convert/conversion_jobs.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;

namespace spw::ui {

class DriftChart;
class DriftTableModel;

class DriftPanel : public QWidget {
    Q_OBJECT
public:
    explicit DriftPanel(QWidget* parent = nullptr);

    DriftFill fill() const;
    void setFill(DriftFill fill);
    void showReport(const DriftReport& report);
    void clear();
    // Keeps the results, greyed, and says they no longer match the inputs (`why`: what changed). No-op without
    // results.
    void markStale(const QString& why);
    bool isStale() const { return m_stale; }

    QString noteText() const;
    // Empty unless the layout was dense at the comparison's length.
    QString warningText() const;
    DriftTableModel* model() const { return m_model; }
    DriftChart* chart() const { return m_chart; }

Q_SIGNALS:
    // The fill was changed by the user: results made with the other one are stale.
    void fillChanged();

private:
    QComboBox* m_fill = nullptr;
    QLabel* m_note = nullptr;
    QLabel* m_warning = nullptr;
    QLabel* m_staleNote = nullptr;
    DriftTableModel* m_model = nullptr;
    QTableView* m_view = nullptr;
    DriftChart* m_chart = nullptr;
    QString m_reportNote;
    bool m_hasReport = false;
    bool m_stale = false;
};

} // namespace spw::ui
