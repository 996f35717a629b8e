#include "profile/profile_page.h"

#include "common/error.h"
#include "job_runner.h"
#include "profile/machine_info.h"
#include "profile/profile_plots.h"
#include "profile/quality_plot.h"
#include "profile/results_table_model.h"
#include "profile/sweep_cost.h"
#include "profile/sweep_form.h"
#include "profile/sweep_request.h"
#include "widgets/inline_message.h"
#include "workbench_settings.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace spw::ui {
namespace {

// "45 s", "3 min 20 s", "1 h 05 min": as precise as a time left needs to be.
QString formatDuration(double seconds)
{
    const qint64 total = qint64(std::ceil(seconds));
    if (total < 60)
        return QObject::tr("%1 s").arg(total);
    if (total < 3600)
        return QObject::tr("%1 min %2 s").arg(total / 60).arg(total % 60);
    return QObject::tr("%1 h %2 min").arg(total / 3600).arg((total % 3600) / 60, 2, 10, QLatin1Char('0'));
}

const QString kProfileChannel = QStringLiteral("profile");

QString jsonText(const nlohmann::json& object, const char* key)
{
    if (!object.is_object() || !object.contains(key))
        return {};
    const nlohmann::json& value = object[key];
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString::fromStdString(value.dump());
}

} // namespace

ProfilePage::ProfilePage(JobRunner* runner, QWidget* parent)
    : QWidget(parent)
    , m_runner(runner)
{
    auto* page = new QHBoxLayout(this);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("profileSplitter"));
    page->addWidget(splitter);
    splitter->addWidget(buildSetupColumn());
    splitter->addWidget(buildResultsColumn());
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 330, 1100 });

    // The runner ends a job without a result when it was cancelled from elsewhere (the status bar's Cancel):
    // the page then stops waiting for it.
    connect(m_runner, &JobRunner::jobEnded, this, [this](const QString& channel) {
        if (channel != kProfileChannel)
            return;
        m_jobsInFlight = std::max(0, m_jobsInFlight - 1);
        if (m_running && m_jobsInFlight == 0) {
            endSweep(tr("Cancelled after %n result(s)", nullptr, int(m_results.points.size())));
            Q_EMIT sweepCancelled();
        }
    });
    setRunning(false);
    restoreLastResults();
    showQualityColumns();
}

ProfilePage::~ProfilePage()
{
    if (m_running)
        m_runner->cancel(kProfileChannel);
}

QWidget* ProfilePage::buildSetupColumn()
{
    auto* column = new QWidget(this);
    auto* layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 0);
    m_form = new SweepForm(column);
    auto* scroll = new QScrollArea(column);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    column->setMinimumWidth(300);
    layout->addWidget(scroll, 1);

    auto* buttons = new QHBoxLayout;
    m_run = new QPushButton(tr("Run sweep"), column);
    m_run->setObjectName(QStringLiteral("runSweep"));
    m_run->setDefault(true);
    connect(m_run, &QPushButton::clicked, this, &ProfilePage::startSweep);
    m_cancel = new QPushButton(tr("Cancel"), column);
    m_cancel->setObjectName(QStringLiteral("cancelSweep"));
    connect(m_cancel, &QPushButton::clicked, this, &ProfilePage::cancelSweep);
    buttons->addWidget(m_run, 1);
    buttons->addWidget(m_cancel);
    layout->addLayout(buttons);
    m_progress = new QProgressBar(column);
    m_progress->setObjectName(QStringLiteral("sweepProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(8);
    layout->addWidget(m_progress);

    m_error = new InlineMessage(InlineMessage::Kind::Error, column);
    layout->addWidget(m_error);
    return column;
}

QWidget* ProfilePage::buildResultsColumn()
{
    auto* column = new QWidget(this);
    auto* layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 0);
    m_summary = new QLabel(column);
    m_summary->setObjectName(QStringLiteral("summary"));
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_status = new QLabel(column);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_status->setStyleSheet(QStringLiteral("QLabel { color: #555; }"));
    layout->addWidget(m_status);

    auto* splitter = new QSplitter(Qt::Vertical, column);
    splitter->setObjectName(QStringLiteral("profileResultsSplitter"));
    // The plots keep a readable size and scroll in a small window rather than squeeze their labels together.
    auto* plotsScroll = new QScrollArea(splitter);
    plotsScroll->setObjectName(QStringLiteral("plotsScroll"));
    plotsScroll->setWidgetResizable(true);
    plotsScroll->setFrameShape(QFrame::NoFrame);
    m_plotsScroll = plotsScroll;
    m_plots = new ProfilePlots;
    plotsScroll->setWidget(m_plots);
    auto* tablePane = new QWidget(splitter);
    auto* tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    m_table = new ResultsTableModel(this);
    m_tableView = new QTableView(tablePane);
    m_tableView->setObjectName(QStringLiteral("results"));
    m_tableView->setModel(m_table);
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tableView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tableView->setAlternatingRowColors(true);
    m_tableView->verticalHeader()->hide();
    m_tableView->verticalHeader()->setDefaultSectionSize(m_tableView->fontMetrics().height() + 6);
    m_tableView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_tableView->horizontalHeader()->setSectionResizeMode(
        ResultsTableModel::LayoutColumn, QHeaderView::ResizeToContents);
    connect(
        m_tableView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ProfilePage::showSelectedLayers);
    tableLayout->addWidget(m_tableView, 1);
    tableLayout->addWidget(buildExportBar());
    splitter->addWidget(plotsScroll);
    splitter->addWidget(tablePane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 560, 220 });
    layout->addWidget(splitter, 1);
    return column;
}

QWidget* ProfilePage::buildExportBar()
{
    auto* bar = new QWidget(this);
    auto* layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addStretch(1);
    auto add = [&](const QString& text, const QString& name, auto slot) {
        auto* button = new QPushButton(text, bar);
        button->setObjectName(name);
        connect(button, &QPushButton::clicked, this, slot);
        layout->addWidget(button);
        m_exportButtons << button;
    };
    add(tr("Export CSV…"), QStringLiteral("exportCsv"), [this] {
        chooseExport(
            tr("Export results as CSV"), QStringLiteral("profile.csv"), tr("CSV (*.csv)"), &ProfilePage::exportCsv);
    });
    add(tr("Export JSON…"), QStringLiteral("exportJson"), [this] {
        chooseExport(tr("Export results as JSON"), QStringLiteral("profile.json"), tr("JSON (*.json)"),
            &ProfilePage::exportJson);
    });
    add(tr("Save plots as PNG…"), QStringLiteral("exportPng"), [this] { choosePngFolder(); });
    m_history = new QToolButton(bar);
    m_history->setObjectName(QStringLiteral("history"));
    m_history->setText(tr("History"));
    m_history->setToolTip(tr("Overlay earlier sweeps on the plots, or clear them"));
    m_history->setPopupMode(QToolButton::InstantPopup);
    m_history->setMenu(new QMenu(m_history));
    layout->insertWidget(0, m_history);
    rebuildHistoryMenu();
    return bar;
}

void ProfilePage::setModel(const LoadedModel& model)
{
    m_form->setLoadedModel(model);
}

void ProfilePage::setDesignerConfig(const SparsityConfig& config, const QString& name)
{
    m_form->setDesignerConfig(config, name);
}

bool ProfilePage::startSweep()
{
    if (m_running)
        return false;
    QString reason;
    const std::optional<SweepRequest> request = m_form->request(&reason);
    if (!request) {
        showError(reason);
        return false;
    }
    clearError();
    m_expectedPoints
        = int(request->settings.seqLens.size() * request->settings.batches.size() * request->settings.layouts.size());
    showResults({});
    const quint64 sweep = ++m_sweepId;
    setRunning(true);
    m_progress->setValue(0);
    m_fraction = 0;
    m_clock.start();
    setStatus(tr("Preparing the model…"));

    // Points and the report header come back queued on the GUI thread (through the runner, which outlives its
    // jobs), and only while this sweep is the page's current one.
    QPointer<ProfilePage> guard(this);
    JobRunner* runner = m_runner;
    auto post = [guard, sweep, runner](std::function<void(ProfilePage&)> call) {
        QMetaObject::invokeMethod(
            runner,
            [guard, sweep, call = std::move(call)] {
                if (guard && guard->m_running && guard->m_sweepId == sweep)
                    call(*guard);
            },
            Qt::QueuedConnection);
    };
    std::function<SweepResults(const ProgressCallback&)> work
        = [job = *request, post](const ProgressCallback& progress) {
              SweepCallbacks callbacks;
              callbacks.started = [post](const nlohmann::json& machine, const nlohmann::json& settings) {
                  post([machine, settings](ProfilePage& page) {
                      page.m_results.machine = machine;
                      page.m_results.settings = settings;
                      page.updateSummary();
                      page.showMeasuringStatus();
                  });
              };
              callbacks.point
                  = [post](const ProfilePoint& point) { post([point](ProfilePage& page) { page.addPoint(point); }); };
              return runSweep(job, callbacks, progress);
          };
    JobRunner::Handlers<SweepResults> handlers;
    handlers.finished = [this](SweepResults results) { finishSweep(std::move(results)); };
    handlers.failed = [this](const QString& message) {
        showError(message);
        endSweep(tr("Failed after %n result(s)", nullptr, int(m_results.points.size())));
        Q_EMIT sweepFailed(message);
    };
    handlers.progressed = [this](float fraction) {
        if (!m_running)
            return;
        m_fraction = fraction;
        m_progress->setValue(int(fraction * 1000.f));
        showMeasuringStatus();
    };
    ++m_jobsInFlight;
    m_runner->run<SweepResults>(kProfileChannel, this, std::move(work), std::move(handlers));
    Q_EMIT sweepStarted();
    return true;
}

void ProfilePage::showMeasuringStatus()
{
    // The bar and the percent count expected work (the engine weighs each forward by its cost), not results: the
    // long runs come last.
    QString text = tr("Measuring: %1 of %2 results · %3 % of the work")
                       .arg(m_results.points.size())
                       .arg(m_expectedPoints)
                       .arg(int(m_fraction * 100.f));
    if (const auto left = estimateSecondsLeft(m_clock.elapsed() / 1000.0, m_fraction))
        text += tr(" · about %1 left").arg(formatDuration(*left));
    setStatus(text);
}

void ProfilePage::cancelSweep()
{
    if (!m_running)
        return;
    m_runner->cancel(kProfileChannel);
    endSweep(tr("Cancelled after %n result(s)", nullptr, int(m_results.points.size())));
    Q_EMIT sweepCancelled();
}

void ProfilePage::revealQualityPlot()
{
    if (m_table->hasQuality())
        m_plotsScroll->ensureWidgetVisible(m_plots->qualityPlot(), 0, 0);
}

void ProfilePage::showQualityColumns()
{
    const bool shown = m_table->hasQuality();
    m_tableView->setColumnHidden(ResultsTableModel::LossColumn, !shown);
    m_tableView->setColumnHidden(ResultsTableModel::AccuracyColumn, !shown);
}

void ProfilePage::addPoint(const ProfilePoint& point)
{
    m_results.points.push_back(point);
    m_table->appendPoint(point);
    showQualityColumns();
    m_plots->setPoints(m_results.points);
    if (!m_tableView->selectionModel()->hasSelection())
        m_plots->showLayers(point);
    showMeasuringStatus();
    Q_EMIT pointArrived(int(m_results.points.size()) - 1);
}

void ProfilePage::finishSweep(SweepResults results)
{
    if (!m_running)
        return;
    // The streamed points are these same points; adopt the final list only if one went missing.
    if (results.points.size() != m_results.points.size())
        showResults(results);
    else
        m_results = std::move(results);
    m_progress->setValue(m_progress->maximum());
    const QLocale locale;
    endSweep(tr("Finished: %n result(s) in %1 s", nullptr, int(m_results.points.size()))
                 .arg(locale.toString(m_clock.elapsed() / 1000.0, 'f', 1)));
    Q_EMIT sweepFinished();
}

void ProfilePage::endSweep(const QString& status)
{
    m_running = false;
    setRunning(false);
    updateSummary();
    if (!m_results.isEmpty())
        saveLast();
    rebuildHistoryMenu();
    setStatus(status + (m_results.isEmpty() ? QString() : tr(" — saved for the next start")));
}

void ProfilePage::rebuildHistoryMenu()
{
    QMenu* menu = m_history->menu();
    menu->clear();
    const QStringList files = historyFiles();
    const QLocale locale;
    for (const QString& file : files) {
        // sweep-yyyyMMdd-HHmmss-zzz.json: the time the sweep ended.
        const QDateTime when
            = QDateTime::fromString(QFileInfo(file).completeBaseName().mid(6, 15), QStringLiteral("yyyyMMdd-HHmmss"));
        QAction* run = menu->addAction(tr("Overlay the run of %1").arg(locale.toString(when, QLocale::ShortFormat)));
        run->setCheckable(true);
        run->setChecked(m_overlays.contains(file));
        run->setData(file);
        connect(run, &QAction::toggled, this, [this, file](bool shown) { overlayRun(file, shown); });
    }
    if (!files.isEmpty())
        menu->addSeparator();
    QAction* clear = menu->addAction(tr("Clear history"));
    clear->setObjectName(QStringLiteral("clearHistory"));
    clear->setEnabled(!files.isEmpty());
    connect(clear, &QAction::triggered, this, &ProfilePage::clearRunHistory);
    m_history->setEnabled(!m_running);
}

void ProfilePage::overlayRun(const QString& path, bool shown)
{
    if (!shown) {
        m_overlays.remove(path);
    } else {
        try {
            const QDateTime when = QFileInfo(path).lastModified();
            m_overlays.insert(path,
                { tr("run of %1").arg(QLocale().toString(when, QLocale::ShortFormat)), loadResults(path).points });
        } catch (const Error& error) {
            showError(tr("Cannot overlay that run: %1").arg(QString::fromStdString(error.what())));
            return;
        }
    }
    m_plots->setOverlays({ m_overlays.cbegin(), m_overlays.cend() });
}

void ProfilePage::clearRunHistory()
{
    clearHistory();
    m_overlays.clear();
    m_plots->setOverlays({});
    // Queued: the menu's own "Clear history" action is still delivering this call.
    QMetaObject::invokeMethod(this, &ProfilePage::rebuildHistoryMenu, Qt::QueuedConnection);
    setStatus(tr("Cleared the run history"));
}

void ProfilePage::saveLast()
{
    try {
        QDir().mkpath(QFileInfo(lastResultsPath()).absolutePath());
        saveResults(m_results, lastResultsPath());
        addToHistory(m_results);
    } catch (const Error& error) {
        showError(tr("The results could not be kept for the next start: %1").arg(QString::fromStdString(error.what())));
    }
}

void ProfilePage::restoreLastResults()
{
    const QString path = lastResultsPath();
    const QFileInfo file(path);
    if (!file.exists()) {
        setStatus(tr("No sweep yet: choose layouts and lengths, then Run sweep."));
        updateSummary();
        return;
    }
    try {
        SweepResults results = loadResults(path);
        m_form->applySettings(results.settings);
        showResults(results);
        setStatus(tr("Restored the last sweep (%1): %n result(s)", nullptr, int(results.points.size()))
                      .arg(QLocale().toString(file.lastModified(), QLocale::ShortFormat)));
    } catch (const Error& error) {
        showResults({});
        setStatus(tr("Ignored the saved results: %1").arg(QString::fromStdString(error.what())));
    }
}

void ProfilePage::showResults(const SweepResults& results)
{
    m_results = results;
    m_table->setPoints(results.points);
    showQualityColumns();
    m_plots->setPoints(results.points);
    updateSummary();
    // The longest length of the first layout is where the layers differ most: show it first.
    if (!results.points.empty())
        m_tableView->selectRow(int(results.points.size()) - 1);
    else
        m_plots->showLayers(std::nullopt);
    for (QPushButton* button : std::as_const(m_exportButtons))
        button->setEnabled(!m_results.isEmpty() && !m_running);
}

void ProfilePage::showSelectedLayers()
{
    const QModelIndexList rows = m_tableView->selectionModel()->selectedRows();
    if (rows.isEmpty() || rows.first().row() >= int(m_results.points.size()))
        return;
    m_plots->showLayers(m_results.points[std::size_t(rows.first().row())]);
}

void ProfilePage::updateSummary()
{
    const nlohmann::json& settings = m_results.settings;
    if (!settings.is_object() || settings.empty()) {
        m_summary->setText(tr("Dense vs block-sparse attention"));
        return;
    }
    const nlohmann::json model = settings.value("model", nlohmann::json::object());
    QString source = jsonText(model, "source");
    if (source != QLatin1String("demo"))
        source = QFileInfo(source).fileName();
    QStringList parts;
    parts << tr("%1 (%2, %3 layers, hidden %4, %5 heads)")
                 .arg(source, jsonText(model, "model_type"), jsonText(model, "layers"), jsonText(model, "hidden"),
                     jsonText(model, "heads"));
    // Older reports spell dtypes as LibTorch does (Float, Half, BFloat16).
    const QString dtype = jsonText(settings, "dtype");
    const QString dtypeName = dtype == QLatin1String("Float") ? QStringLiteral("float32")
        : dtype == QLatin1String("Half")                      ? QStringLiteral("float16")
                                                              : dtype.toLower();
    parts << QStringLiteral("%1 %2").arg(jsonText(settings, "device"), dtypeName);
    m_plots->setRunDescription(QStringLiteral("%1 · %2").arg(source, parts.last()));
    parts << tr("median of %1, %2 warm-up").arg(jsonText(settings, "repeats"), jsonText(settings, "warmup"));
    const QString padding = jsonText(settings, "padding_fraction");
    if (!padding.isEmpty() && padding.toDouble() > 0)
        parts << tr("%1 % padding").arg(padding.toDouble() * 100.0, 0, 'f', 0);
    if (settings.contains("quality") && settings["quality"].is_object()) {
        // Where the quality numbers come from: the text and how many of its tokens.
        const nlohmann::json& quality = settings["quality"];
        const QString text = jsonText(quality, "text");
        parts << tr("quality on %1 tokens of %2")
                     .arg(jsonText(quality, "tokens"),
                         text.startsWith(QLatin1String(":/")) ? tr("the shipped held-out text")
                                                              : QFileInfo(text).fileName());
    }
    const QString memory = jsonText(settings, "memory");
    if (!memory.isEmpty())
        parts << tr("memory: %1").arg(memory);
    const QString cpu = jsonText(m_results.machine, "cpu_model");
    const QString gpu = jsonText(m_results.machine, "gpu_name");
    const QString threads = jsonText(m_results.machine, "torch_threads");
    if (!gpu.isEmpty())
        parts << gpu;
    else if (!threads.isEmpty()) // a CPU profile's times depend on how many threads LibTorch ran on
        parts << tr("%1 threads of %2 cores%3")
                     .arg(threads, jsonText(m_results.machine, "cpu_cores"),
                         cpu.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(cpu));
    else if (!cpu.isEmpty())
        parts << cpu;
    if (gpu.isEmpty() && isReferenceBlas(jsonText(m_results.machine, "blas").toStdString()))
        parts << tr("reference BLAS: install libopenblas0-pthread for ~17× faster CPU runs");
    m_summary->setText(parts.join(QStringLiteral("  ·  ")));
}

void ProfilePage::setRunning(bool running)
{
    m_running = running;
    m_form->setEnabled(!running);
    m_run->setEnabled(!running);
    m_cancel->setEnabled(running);
    if (m_history)
        m_history->setEnabled(!running);
    for (QPushButton* button : std::as_const(m_exportButtons))
        button->setEnabled(!running && !m_results.isEmpty());
}

bool ProfilePage::exportCsv(const QString& path)
{
    try {
        saveResultsCsv(m_results, path);
    } catch (const Error& error) {
        showError(tr("CSV not written: %1").arg(QString::fromStdString(error.what())));
        return false;
    }
    clearError();
    setStatus(tr("Wrote %1").arg(path));
    return true;
}

bool ProfilePage::exportJson(const QString& path)
{
    try {
        saveResults(m_results, path);
    } catch (const Error& error) {
        showError(tr("JSON not written: %1").arg(QString::fromStdString(error.what())));
        return false;
    }
    clearError();
    setStatus(tr("Wrote %1").arg(path));
    return true;
}

bool ProfilePage::exportPng(const QString& folder)
{
    QStringList written;
    QString reason;
    if (!m_plots->savePngs(folder, &written, &reason)) {
        showError(tr("Plots not saved: %1").arg(reason));
        return false;
    }
    clearError();
    QStringList names;
    for (const QString& file : std::as_const(written))
        names << QFileInfo(file).fileName();
    setStatus(tr("Wrote %n plot(s) to %1: %2", nullptr, int(written.size()))
                  .arg(QDir::toNativeSeparators(folder), names.join(QStringLiteral(", "))));
    return true;
}

void ProfilePage::choosePngFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Save the plots (one PNG each) into"), dialogFolder(QStringLiteral("export-png")));
    if (folder.isEmpty())
        return;
    rememberDialogFolder(QStringLiteral("export-png"), folder, true);
    QStringList existing;
    for (const QString& name : ProfilePlots::pngNames())
        if (QFileInfo::exists(QDir(folder).filePath(name)))
            existing << name;
    if (!existing.isEmpty()
        && QMessageBox::question(this, tr("Replace plots?"),
               tr("%1 already has %2. Replace them?").arg(QDir::toNativeSeparators(folder), existing.join(", ")))
            != QMessageBox::Yes)
        return;
    exportPng(folder);
}

void ProfilePage::chooseExport(
    const QString& title, const QString& suffix, const QString& filter, bool (ProfilePage::*write)(const QString&))
{
    // Each export remembers its own folder, keyed by its file's suffix.
    const QString dialog = QStringLiteral("export-") + QFileInfo(suffix).suffix();
    const QString path = QFileDialog::getSaveFileName(this, title, dialogStart(dialog, suffix), filter);
    if (path.isEmpty())
        return;
    rememberDialogFolder(dialog, path);
    (this->*write)(path);
}

void ProfilePage::showError(const QString& message)
{
    m_error->showMessage(message);
}

void ProfilePage::clearError()
{
    m_error->clearMessage();
}

void ProfilePage::setStatus(const QString& text)
{
    m_status->setText(text);
}

QString ProfilePage::errorText() const
{
    return m_error->message();
}

QString ProfilePage::statusText() const
{
    return m_status->text();
}

} // namespace spw::ui
