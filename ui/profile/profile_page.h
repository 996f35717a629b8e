#pragma once
// The Profile page: set up a dense-vs-sparse sweep (SweepForm), run it through the job runner off the GUI thread
// with progress and Cancel, watch the table and the plots fill in point by point (with masked-LM quality on a text
// when asked: loss and accuracy columns and the speed-vs-quality plot), export CSV / JSON (the engine's
// report writers) and PNGs of the plots. The last sweep (finished, or what a cancelled or failed one had measured)
// is kept in the app data folder and shown again on the next start; a damaged file is ignored with a status line.
#include "model/loaded_model.h"
#include "profile/profile_plots.h"
#include "profile/sweep_results.h"
#include "sparsity/sparsity_config.h"

#include <QElapsedTimer>
#include <QMap>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QTableView;
class QToolButton;

namespace spw::ui {

class InlineMessage;
class JobRunner;
class ResultsTableModel;
class SweepForm;

class ProfilePage : public QWidget {
    Q_OBJECT
public:
    ProfilePage(JobRunner* runner, QWidget* parent = nullptr);
    ~ProfilePage() override;

    void setModel(const LoadedModel& model);
    void setDesignerConfig(const SparsityConfig& config, const QString& name);

    // Starts a sweep from the form; false (reasons shown inline) when a field is invalid or one is running.
    bool startSweep();
    // Stops the sweep at its next forward pass; the points measured so far stay (and are saved).
    void cancelSweep();
    bool isRunning() const { return m_running; }

    const SweepResults& results() const { return m_results; }

    // Each returns false with the reason shown inline.
    bool exportCsv(const QString& path);
    bool exportJson(const QString& path);
    // One PNG per plot in `folder` (ProfilePlots::savePngs); the status line names the files written.
    bool exportPng(const QString& folder);

    QString errorText() const;
    QString statusText() const;

    SweepForm* form() const { return m_form; }
    ProfilePlots* plots() const { return m_plots; }
    ResultsTableModel* tableModel() const { return m_table; }
    QTableView* tableView() const { return m_tableView; }
    QProgressBar* progressBar() const { return m_progress; }
    QPushButton* runButton() const { return m_run; }
    QPushButton* cancelButton() const { return m_cancel; }
    // "History": one checkable entry per earlier sweep (checked: overlaid on the plots), then "Clear history".
    QToolButton* historyButton() const { return m_history; }
    // Scrolls the plots to the speed-vs-quality plot when the results have quality (a screenshot of the page).
    void revealQualityPlot();

Q_SIGNALS:
    void sweepStarted();
    void pointArrived(int row);
    void sweepFinished();
    void sweepCancelled();
    void sweepFailed(const QString& message);

private:
    QWidget* buildSetupColumn();
    QWidget* buildResultsColumn();
    QWidget* buildExportBar();
    void restoreLastResults();
    void showResults(const SweepResults& results);
    void addPoint(const ProfilePoint& point);
    // The loss and accuracy columns, only when some result has them.
    void showQualityColumns();
    void finishSweep(SweepResults results);
    void endSweep(const QString& status);
    void saveLast();
    void rebuildHistoryMenu();
    void overlayRun(const QString& path, bool shown);
    void clearRunHistory();
    void setRunning(bool running);
    void updateSummary();
    // "Measuring: 3 of 8 results · 42 % of the work · about 1 min 5 s left".
    void showMeasuringStatus();
    void showSelectedLayers();
    void showError(const QString& message);
    void clearError();
    void setStatus(const QString& text);
    void choosePngFolder();
    void chooseExport(
        const QString& title, const QString& suffix, const QString& filter, bool (ProfilePage::*write)(const QString&));

    JobRunner* m_runner = nullptr;
    SweepResults m_results;
    bool m_running = false;
    quint64 m_sweepId = 0; // points of an older (cancelled) sweep are dropped
    int m_jobsInFlight = 0; // this page's jobs the runner has not ended yet
    int m_expectedPoints = 0;
    float m_fraction = 0; // of the sweep's expected work
    QElapsedTimer m_clock;

    SweepForm* m_form = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    InlineMessage* m_error = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_summary = nullptr;
    ProfilePlots* m_plots = nullptr;
    ResultsTableModel* m_table = nullptr;
    QTableView* m_tableView = nullptr;
    QScrollArea* m_plotsScroll = nullptr;
    QList<QPushButton*> m_exportButtons;
    QToolButton* m_history = nullptr;
    QMap<QString, PlotOverlay> m_overlays; // by history file, oldest first (file names sort by time)
};

} // namespace spw::ui
