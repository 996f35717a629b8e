// The Profile page against the engine's sweep on tiny in-memory encoders: points stream into the table and the
// plots in the sweep's order (lengths outer, layouts inner); Cancel stops the sweep and keeps what was measured;
// invalid lists are refused inline without starting; CSV / JSON exports parse back to the same numbers and the
// PNGs are images; the last sweep comes back in a new page (Quality on text checked again when it measured quality)
// and a damaged file is ignored with a status line.
#include "job_runner.h"
#include "model/create_model.h"
#include "model/encoder_model.h"
#include "model/loaded_model.h"
#include "presets.h"
#include "profile/pareto_front.h"
#include "profile/profile_model.h"
#include "profile/profile_page.h"
#include "profile/profile_plots.h"
#include "profile/quality_plot.h"
#include "profile/results_table_model.h"
#include "profile/sweep_form.h"
#include "profile/sweep_request.h"
#include "profile/sweep_results.h"
#include "qcustomplot_include.h"
#include "quality/evaluation.h"
#include "quality_text.h"
#include "tokenizer/tokenizer.h"
#include "widgets/quality_text_picker.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMouseEvent>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <ATen/Parallel.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

using namespace spw;
using namespace spw::ui;

namespace {

// 1 layer, hidden 32: a forward takes milliseconds, so a sweep of a few points is quick on any machine.
const DemoEncoderShape kTinyShape { 1, 32, 2, 64 };

void setUpTinySweep(ProfilePage& page, const QString& lengths, const QStringList& layouts)
{
    page.form()->setDemoShape(kTinyShape);
    page.form()->lengthsEdit()->setText(lengths);
    page.form()->batchesEdit()->setText(QStringLiteral("1"));
    page.form()->repeatsBox()->setValue(1);
    page.form()->warmupBox()->setValue(0);
    page.form()->checkLayouts(layouts);
}

bool waitForFinish(ProfilePage& page)
{
    QSignalSpy finished(&page, &ProfilePage::sweepFinished);
    QSignalSpy failed(&page, &ProfilePage::sweepFailed);
    const bool ended = QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 120000);
    if (!failed.isEmpty())
        qWarning() << "sweep failed:" << failed.first().first().toString();
    return ended && !finished.isEmpty();
}

int graphPoints(QCustomPlot* plot, const QString& name)
{
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->name() == name)
            return plot->graph(i)->data()->size();
    return -1;
}

double graphValueAt(QCustomPlot* plot, const QString& name, double key)
{
    for (int i = 0; i < plot->graphCount(); ++i) {
        if (plot->graph(i)->name() != name)
            continue;
        for (auto it = plot->graph(i)->data()->constBegin(); it != plot->graph(i)->data()->constEnd(); ++it)
            if (it->key == key)
                return it->value;
    }
    return -1;
}

std::vector<QStringList> readCsv(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    std::vector<QStringList> rows;
    for (const QByteArray& line : file.readAll().split('\n'))
        if (!line.isEmpty())
            rows.push_back(QString::fromUtf8(line).split(','));
    return rows;
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
}

// One layer, hidden 32, 128 positions, the demo tokenizer's vocabulary (the smallest makeDemoEncoder takes).
CreateModelOptions tinyShape()
{
    CreateModelOptions shape;
    shape.layers = 1;
    shape.hidden = 32;
    shape.heads = 2;
    shape.intermediate = 64;
    shape.maxPosition = 128;
    shape.vocab = 2000;
    return shape;
}

// A masked-LM folder (1 layer, hidden 32) with the demo tokenizer, loaded as the Model page loads it: one that can
// score quality.
LoadedModel tinyMaskedLm(const QString& folder)
{
    CreateModelOptions shape = tinyShape();
    shape.seed = 3;
    createModelFolder(folder.toStdString(), shape);
    return loadModelFolder(folder);
}

} // namespace

class TestProfilePage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("spw-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_profile_page"));
        initResources();
    }

    void init()
    {
        QFile::remove(lastResultsPath());
        clearHistory();
    }

    void tinySweepFillsTableAndPlots()
    {
        JobRunner runner;
        ProfilePage page(&runner);
        QAbstractItemModelTester tester(page.tableModel());
        QCOMPARE(page.tableModel()->rowCount(), 0);
        setUpTinySweep(page, QStringLiteral("64, 128"), { QStringLiteral("fixed"), QStringLiteral("local") });
        QSignalSpy arrived(&page, &ProfilePage::pointArrived);
        QVERIFY(page.startSweep());
        QVERIFY(page.isRunning());
        QVERIFY(!page.runButton()->isEnabled());
        QVERIFY(page.cancelButton()->isEnabled());
        QVERIFY(waitForFinish(page));
        QVERIFY(!page.isRunning());

        // Streamed one by one, in the sweep's order: lengths outer, layouts inner.
        QCOMPARE(arrived.size(), 4);
        const std::vector<std::pair<int, QString>> order
            = { { 64, "fixed" }, { 64, "local" }, { 128, "fixed" }, { 128, "local" } };
        ResultsTableModel* table = page.tableModel();
        QCOMPARE(table->rowCount(), 4);
        for (int row = 0; row < 4; ++row) {
            QCOMPARE(table->index(row, ResultsTableModel::LengthColumn).data(Qt::UserRole).toLongLong(),
                qlonglong(order[row].first));
            QCOMPARE(
                table->index(row, ResultsTableModel::LayoutColumn).data(Qt::UserRole).toString(), order[row].second);
            QCOMPARE(table->index(row, ResultsTableModel::BatchColumn).data(Qt::UserRole).toLongLong(), 1);
            QVERIFY(table->index(row, ResultsTableModel::DenseMsColumn).data(Qt::UserRole).toDouble() > 0);
            QVERIFY(table->index(row, ResultsTableModel::SparseMsColumn).data(Qt::UserRole).toDouble() > 0);
        }
        QCOMPARE(int(page.results().points.size()), 4);
        QCOMPARE(page.progressBar()->value(), page.progressBar()->maximum());

        // Latency and memory: dense plus each layout; speedup: each layout; two lengths per line.
        ProfilePlots* plots = page.plots();
        QCOMPARE(plots->latencyPlot()->graphCount(), 3);
        QCOMPARE(plots->memoryPlot()->graphCount(), 3);
        QCOMPARE(plots->speedupPlot()->graphCount(), 2);
        for (const QString& name : { QStringLiteral("dense"), QStringLiteral("fixed"), QStringLiteral("local") }) {
            QCOMPARE(graphPoints(plots->latencyPlot(), name), 2);
            QCOMPARE(graphPoints(plots->memoryPlot(), name), 2);
        }
        QCOMPARE(graphPoints(plots->speedupPlot(), "fixed"), 2);
        QCOMPARE(graphPoints(plots->speedupPlot(), "local"), 2);
        QCOMPARE(plots->latencyPlot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
        // The plot shows the table's numbers.
        QCOMPARE(graphValueAt(plots->latencyPlot(), "local", 128),
            table->index(3, ResultsTableModel::SparseMsColumn).data(Qt::UserRole).toDouble());
        QCOMPARE(graphValueAt(plots->speedupPlot(), "fixed", 64),
            table->index(0, ResultsTableModel::SpeedupColumn).data(Qt::UserRole).toDouble());

        // Per layer, for the selected row: 1 layer, attention and the rest, dense and sparse.
        page.tableView()->selectRow(1);
        QCustomPlot* layers = plots->layersPlot();
        QCOMPARE(layers->plottableCount(), 4);
        for (int i = 0; i < 4; ++i) {
            auto* bars = qobject_cast<QCPBars*>(layers->plottable(i));
            QVERIFY(bars);
            QCOMPARE(bars->data()->size(), 1);
        }
        const ProfilePoint& selected = page.results().points[1];
        auto* sparseAttention = qobject_cast<QCPBars*>(layers->plottable(2));
        QCOMPARE(sparseAttention->data()->at(0)->value, selected.sparse.layers.at(0).attentionMs);
        QVERIFY(QFile::exists(lastResultsPath()));

        // The header says how many threads the CPU runs used, as LibTorch reports them here.
        const QString header = page.findChild<QLabel*>("summary")->text();
        QVERIFY2(header.contains(QStringLiteral("%1 threads of %2 cores")
                                     .arg(at::get_num_threads())
                                     .arg(std::thread::hardware_concurrency())),
            qPrintable(header));
    }

    void loadedModelIsSweptAndItsLengthChecked()
    {
        LoadedModel model;
        model.model = makeDemoEncoder(tinyShape(), {});
        model.directory = QStringLiteral("/models/tiny-bert");

        JobRunner runner;
        ProfilePage page(&runner);
        page.setModel(model);
        QCOMPARE(page.form()->modelBox()->currentData().toString(), QStringLiteral("loaded"));
        setUpTinySweep(page, QStringLiteral("64, 256"), { QStringLiteral("fixed") });
        QVERIFY(!page.startSweep());
        QVERIFY(page.form()->lengthsError()->isVisibleTo(&page));
        QVERIFY2(page.form()->lengthsError()->text().contains("128 positions"),
            qPrintable(page.form()->lengthsError()->text()));
        QVERIFY(!runner.isBusy());

        page.form()->lengthsEdit()->setText(QStringLiteral("64, 100"));
        QVERIFY(page.startSweep());
        QVERIFY(waitForFinish(page));
        QCOMPARE(page.tableModel()->rowCount(), 2);
        const nlohmann::json& settings = page.results().settings;
        QCOMPARE(settings["model"]["source"].get<std::string>(), std::string("/models/tiny-bert"));
        QCOMPARE(settings["model"]["layers"].get<int>(), 1);
        QCOMPARE(settings["model"]["hidden"].get<int>(), 32);
        // Named as the CLI's report names them.
        QCOMPARE(settings["device"].get<std::string>(), std::string("cpu"));
        QCOMPARE(settings["dtype"].get<std::string>(), std::string("float32"));
        // 100 is not a multiple of fixed's block of 16: the sparse run padded it to 112.
        QCOMPARE(page.results().points[1].paddedLength, std::int64_t(112));
    }

    void cancelStopsAndKeepsPartialResults()
    {
        JobRunner runner;
        ProfilePage page(&runner);
        setUpTinySweep(page, QStringLiteral("64, 128, 256, 512"), { QStringLiteral("fixed"), QStringLiteral("local") });
        page.form()->repeatsBox()->setValue(3);
        // Cancel as soon as the first point is shown: whatever the worker measured after it is dropped.
        QSignalSpy cancelled(&page, &ProfilePage::sweepCancelled);
        QSignalSpy finished(&page, &ProfilePage::sweepFinished);
        const QMetaObject::Connection cancelOnFirst
            = connect(&page, &ProfilePage::pointArrived, &page, [&page] { page.cancelSweep(); });
        QVERIFY(page.startSweep());
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.size(), 1, 120000);
        QVERIFY(!page.isRunning());
        QVERIFY(page.runButton()->isEnabled());
        QVERIFY(!page.cancelButton()->isEnabled());
        QVERIFY(page.form()->isEnabled());
        const int progress = page.progressBar()->value();
        QVERIFY(progress < page.progressBar()->maximum());

        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 120000);
        QTest::qWait(100);
        QCOMPARE(page.progressBar()->value(), progress);
        QCOMPARE(page.tableModel()->rowCount(), 1);
        QCOMPARE(int(page.results().points.size()), 1);
        QVERIFY(finished.isEmpty());
        QVERIFY2(page.statusText().contains("Cancelled after 1 result"), qPrintable(page.statusText()));
        QCOMPARE(int(loadResults(lastResultsPath()).points.size()), 1);

        // A new sweep after a cancel runs to the end.
        disconnect(cancelOnFirst);
        page.form()->lengthsEdit()->setText(QStringLiteral("64"));
        QVERIFY(page.startSweep());
        QVERIFY(waitForFinish(page));
        QCOMPARE(page.tableModel()->rowCount(), 2);
    }

    void cancelFromTheStatusBarEndsTheSweep()
    {
        JobRunner runner;
        ProfilePage page(&runner);
        setUpTinySweep(page, QStringLiteral("64, 128, 256"), { QStringLiteral("fixed") });
        QSignalSpy cancelled(&page, &ProfilePage::sweepCancelled);
        // The main window's Cancel cancels every job on the runner without telling the pages.
        connect(&page, &ProfilePage::sweepStarted, &runner, &JobRunner::cancelAll);
        QVERIFY(page.startSweep());
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.size(), 1, 120000);
        QVERIFY(!page.isRunning());
        QVERIFY(page.runButton()->isEnabled());
    }

    void invalidListIsRefusedInline_data()
    {
        QTest::addColumn<QString>("lengths");
        QTest::addColumn<QString>("batches");
        QTest::addColumn<QString>("expected");
        QTest::newRow("word") << "64, abc"
                              << "1"
                              << "'abc' is not a whole number";
        QTest::newRow("empty") << ""
                               << "1"
                               << "give at least one value";
        QTest::newRow("zero") << "0, 64"
                              << "1"
                              << "0 is outside";
        QTest::newRow("negative") << "-64"
                                  << "1"
                                  << "-64 is outside";
        QTest::newRow("repeat") << "64 128 64"
                                << "1"
                                << "64 is listed twice";
        QTest::newRow("too long") << "70000"
                                  << "1"
                                  << "70000 is outside";
        QTest::newRow("bad batch") << "64"
                                   << "1, x"
                                   << "Batch sizes: 'x'";
    }

    void invalidListIsRefusedInline()
    {
        QFETCH(QString, lengths);
        QFETCH(QString, batches);
        QFETCH(QString, expected);
        JobRunner runner;
        ProfilePage page(&runner);
        setUpTinySweep(page, lengths, { QStringLiteral("fixed") });
        page.form()->batchesEdit()->setText(batches);
        QSignalSpy started(&page, &ProfilePage::sweepStarted);
        QVERIFY(!page.startSweep());
        QVERIFY(started.isEmpty());
        QVERIFY(!runner.isBusy());
        QVERIFY(!page.isRunning());
        QVERIFY2(page.errorText().contains(expected), qPrintable(page.errorText()));
        QLabel* fieldError = batches != QLatin1String("1") ? page.form()->batchesError() : page.form()->lengthsError();
        QVERIFY(fieldError->isVisibleTo(&page));
        QVERIFY2(fieldError->text().contains(expected), qPrintable(fieldError->text()));

        // Fixing the field clears its message as you type.
        page.form()->lengthsEdit()->setText(QStringLiteral("64"));
        page.form()->batchesEdit()->setText(QStringLiteral("1"));
        QVERIFY(!page.form()->lengthsError()->isVisibleTo(&page));
        QVERIFY(!page.form()->batchesError()->isVisibleTo(&page));
    }

    void noLayoutCheckedIsRefused()
    {
        JobRunner runner;
        ProfilePage page(&runner);
        setUpTinySweep(page, QStringLiteral("64"), {});
        QVERIFY(!page.startSweep());
        QVERIFY(page.form()->layoutsError()->isVisibleTo(&page));
        QVERIFY(page.errorText().contains("check at least one"));
    }

    void exportsRoundTrip()
    {
        JobRunner runner;
        ProfilePage page(&runner);
        setUpTinySweep(page, QStringLiteral("64, 128"), { QStringLiteral("fixed"), QStringLiteral("bslongformer") });
        QVERIFY(page.startSweep());
        QVERIFY(waitForFinish(page));
        const std::vector<ProfilePoint>& points = page.results().points;
        QCOMPARE(int(points.size()), 4);
        QTemporaryDir dir;

        const QString csvPath = dir.filePath("out.csv");
        QVERIFY(page.exportCsv(csvPath));
        const std::vector<QStringList> rows = readCsv(csvPath);
        QCOMPARE(int(rows.size()), 5);
        const QStringList header = rows[0];
        const int lengthColumn = int(header.indexOf("seq_len"));
        const int layoutColumn = int(header.indexOf("layout"));
        const int denseColumn = int(header.indexOf("dense_ms"));
        const int speedupColumn = int(header.indexOf("speedup"));
        QVERIFY(lengthColumn >= 0 && layoutColumn >= 0 && denseColumn >= 0 && speedupColumn >= 0);
        for (std::size_t i = 0; i < points.size(); ++i) {
            const QStringList& row = rows[i + 1];
            QCOMPARE(row.size(), header.size());
            QCOMPARE(row[lengthColumn].toLongLong(), qlonglong(points[i].seqLen));
            QCOMPARE(row[layoutColumn], QString::fromStdString(points[i].layout));
            QCOMPARE(row[denseColumn].toDouble(), points[i].dense.time.medianMs);
            QCOMPARE(row[speedupColumn].toDouble(), points[i].speedup);
        }

        const QString jsonPath = dir.filePath("out.json");
        QVERIFY(page.exportJson(jsonPath));
        std::ifstream file(jsonPath.toStdString());
        const nlohmann::json json = nlohmann::json::parse(file);
        QCOMPARE(int(json["results"].size()), 4);
        QVERIFY(json["settings"]["seq_lens"] == nlohmann::json({ 64, 128 }));
        QCOMPARE(json["settings"]["repeats"].get<int>(), 1);
        const SweepResults back = loadResults(jsonPath);
        QCOMPARE(back.points.size(), points.size());
        for (std::size_t i = 0; i < points.size(); ++i) {
            QCOMPARE(back.points[i].seqLen, points[i].seqLen);
            QCOMPARE(back.points[i].layout, points[i].layout);
            QCOMPARE(back.points[i].paddedLength, points[i].paddedLength);
            QCOMPARE(back.points[i].sparse.time.medianMs, points[i].sparse.time.medianMs);
            QCOMPARE(back.points[i].dense.peakMiB, points[i].dense.peakMiB);
            QCOMPARE(back.points[i].cosine, points[i].cosine);
            QCOMPARE(back.points[i].sparse.layers.size(), points[i].sparse.layers.size());
            QCOMPARE(back.points[i].dense.layers.at(0).otherMs, points[i].dense.layers.at(0).otherMs);
        }

        // "Save plots as PNG" writes into a folder, one file per plot, and says which.
        QVERIFY(page.exportPng(dir.path()));
        for (const char* name : { "latency", "speedup", "memory", "layers" }) {
            const QString file = QStringLiteral("profile-%1.png").arg(name);
            const QImage image(dir.filePath(file));
            QVERIFY2(!image.isNull(), name);
            QCOMPARE(image.size(), QSize(1350, 900));
            QVERIFY2(page.statusText().contains(file), qPrintable(page.statusText()));
        }
        QVERIFY(page.statusText().contains(QDir::toNativeSeparators(dir.path())));
        QVERIFY(!page.exportPng(QStringLiteral("/nonexistent-folder")));
        QVERIFY(page.errorText().contains("/nonexistent-folder/profile-latency.png"));

        QVERIFY(!page.exportCsv(QStringLiteral("/nonexistent-folder/out.csv")));
        QVERIFY2(page.errorText().contains("/nonexistent-folder/out.csv"), qPrintable(page.errorText()));
        QVERIFY(!page.exportJson(QStringLiteral("/nonexistent-folder/out.json")));
        QVERIFY(page.errorText().contains("/nonexistent-folder/out.json"));
    }

    void progressCountsWorkNotResults()
    {
        // One layout at 64 and 256 tokens: the first result is half the results but about a tenth of the work.
        JobRunner runner;
        ProfilePage page(&runner);
        setUpTinySweep(page, QStringLiteral("64, 256"), { QStringLiteral("fixed") });
        int valueAtFirst = -1;
        QString statusAtFirst;
        connect(&page, &ProfilePage::pointArrived, &page, [&](int row) {
            if (row == 0) {
                valueAtFirst = page.progressBar()->value();
                statusAtFirst = page.statusText();
            }
        });
        QVERIFY(page.startSweep());
        QVERIFY(waitForFinish(page));
        QVERIFY2(valueAtFirst > 0 && valueAtFirst < 250, qPrintable(QString::number(valueAtFirst)));
        QVERIFY2(statusAtFirst.startsWith("Measuring: 1 of 2 results · ") && statusAtFirst.contains("% of the work"),
            qPrintable(statusAtFirst));
        QCOMPARE(page.progressBar()->value(), page.progressBar()->maximum());
    }

    void plotsReadable()
    {
        JobRunner runner;
        ProfilePage page(&runner);
        setUpTinySweep(page, QStringLiteral("128, 64"), { QStringLiteral("fixed"), QStringLiteral("local") });
        QVERIFY(page.startSweep());
        QVERIFY(waitForFinish(page));
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        ProfilePlots* plots = page.plots();
        const std::vector<ProfilePoint>& points = page.results().points;
        const auto found = std::find_if(
            points.begin(), points.end(), [](const ProfilePoint& p) { return p.layout == "local" && p.seqLen == 128; });
        QVERIFY(found != points.end());
        const ProfilePoint& local128 = *found;

        // Legends sit outside the axis rect: no point can be under them.
        for (QCustomPlot* plot :
            { plots->latencyPlot(), plots->speedupPlot(), plots->memoryPlot(), plots->layersPlot() }) {
            plot->replot(QCustomPlot::rpImmediateRefresh);
            QVERIFY(plot->legend->visible());
            QVERIFY(!plot->axisRect()->outerRect().intersects(plot->legend->outerRect()));
            QVERIFY(plot->viewport().contains(plot->legend->outerRect()));
        }

        // Latency points carry min–max error bars from the timed repeats.
        QCPErrorBars* spread = nullptr;
        QCustomPlot* latency = plots->latencyPlot();
        for (int i = 0; i < latency->plottableCount(); ++i)
            if (auto* bars = qobject_cast<QCPErrorBars*>(latency->plottable(i)))
                if (bars->dataPlottable()->name() == "local")
                    spread = bars;
        QVERIFY(spread);
        QCOMPARE(spread->dataCount(), 2);
        // Key order: 64 first, then 128.
        const auto* errors = spread->data().data();
        QCOMPARE(errors->at(1).errorMinus, local128.sparse.time.medianMs - local128.sparse.time.minMs);
        QCOMPARE(errors->at(1).errorPlus, local128.sparse.time.maxMs - local128.sparse.time.medianMs);

        // Hovering a point reads out its numbers.
        const QPointF onPoint = latency->graph(0)->coordsToPixels(
            128, graphValueAt(latency, "local", 128)); // dense's key/axes are shared
        QSignalSpy hovered(plots, &ProfilePlots::pointHovered);
        QMouseEvent move(
            QEvent::MouseMove, onPoint, latency->mapToGlobal(onPoint), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QCoreApplication::sendEvent(latency, &move);
        QCOMPARE(hovered.count(), 1);
        const QString readout = hovered.first().first().toString();
        QVERIFY2(readout.startsWith("local · 128 tokens · batch 1: median"), qPrintable(readout));
        QVERIFY(readout.contains("min") && readout.contains("max"));
        QVERIFY(plots->describePointAt(latency, onPoint + QPointF(40, 40)).isEmpty());

        // Saved images say which run they show.
        for (QCustomPlot* plot : { latency, plots->layersPlot() }) {
            const QString title = plots->exportTitle(plot);
            QVERIFY2(title.contains("demo") && title.contains("cpu") && title.contains("float32")
                    && title.contains("batch 1"),
                qPrintable(title));
        }
    }

    void runHistoryOverlaysAndClears()
    {
        JobRunner runner;
        ProfilePage page(&runner);
        QMenu* menu = page.historyButton()->menu();
        auto runActions = [&] {
            QList<QAction*> runs;
            for (QAction* action : menu->actions())
                if (action->isCheckable())
                    runs << action;
            return runs;
        };
        auto clearAction = [&] { return menu->findChild<QAction*>("clearHistory"); };
        QVERIFY(runActions().isEmpty());
        QVERIFY(!clearAction()->isEnabled());

        setUpTinySweep(page, QStringLiteral("64, 128"), { QStringLiteral("fixed") });
        QVERIFY(page.startSweep());
        QVERIFY(waitForFinish(page));
        const std::vector<ProfilePoint> first = page.results().points;
        QTest::qWait(5); // a later file name
        QVERIFY(page.startSweep());
        QVERIFY(waitForFinish(page));
        QCOMPARE(historyFiles().size(), 2);
        QCOMPARE(runActions().size(), 2);

        // Newest first: the second entry is the first sweep. Overlaid, its line joins the plots with its numbers.
        QCustomPlot* latency = page.plots()->latencyPlot();
        QCOMPARE(latency->graphCount(), 2);
        runActions().at(1)->trigger();
        QCOMPARE(latency->graphCount(), 3);
        QCOMPARE(page.plots()->speedupPlot()->graphCount(), 2);
        QCPGraph* overlay = latency->graph(2);
        QVERIFY2(overlay->name().startsWith("fixed · run of"), qPrintable(overlay->name()));
        QCOMPARE(overlay->pen().style(), Qt::DotLine);
        QCOMPARE(graphValueAt(latency, overlay->name(), 128), first[1].sparse.time.medianMs);
        runActions().at(1)->trigger();
        QCOMPARE(latency->graphCount(), 2);

        runActions().at(1)->trigger();
        clearAction()->trigger();
        QVERIFY(historyFiles().isEmpty());
        QTRY_VERIFY(runActions().isEmpty());
        QCOMPARE(latency->graphCount(), 2);
        QVERIFY(page.statusText().contains("Cleared"));
    }

    void lastResultsComeBack()
    {
        JobRunner runner;
        std::vector<ProfilePoint> measured;
        {
            ProfilePage page(&runner);
            setUpTinySweep(page, QStringLiteral("64, 128"), { QStringLiteral("fixed") });
            page.form()->repeatsBox()->setValue(2);
            QVERIFY(page.startSweep());
            QVERIFY(waitForFinish(page));
            measured = page.results().points;
        }
        ProfilePage restored(&runner);
        QVERIFY2(restored.statusText().contains("Restored the last sweep"), qPrintable(restored.statusText()));
        QCOMPARE(restored.tableModel()->rowCount(), 2);
        QCOMPARE(restored.results().points.size(), measured.size());
        for (std::size_t i = 0; i < measured.size(); ++i) {
            QCOMPARE(restored.results().points[i].seqLen, measured[i].seqLen);
            QCOMPARE(restored.results().points[i].dense.time.medianMs, measured[i].dense.time.medianMs);
        }
        QCOMPARE(graphPoints(restored.plots()->latencyPlot(), "fixed"), 2);
        QCOMPARE(graphPoints(restored.plots()->latencyPlot(), "dense"), 2);
        // The fields come back as they were set.
        QCOMPARE(restored.form()->lengthsEdit()->text(), QStringLiteral("64, 128"));
        QCOMPARE(restored.form()->repeatsBox()->value(), 2);
        QCOMPARE(restored.form()->warmupBox()->value(), 0);
    }

    void damagedFileIsIgnored_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{\"results\": [") << "not valid JSON";
        QTest::newRow("no results") << QByteArray("{\"machine\": {}}") << "no \"results\" list";
        QTest::newRow("missing field") << QByteArray("{\"results\": [{\"seq_len\": 64, \"batch\": 1}]}")
                                       << "results[0]";
        QTest::newRow("binary") << QByteArray("\x00\xff\x13garbage", 10) << "not valid JSON";
    }

    void damagedFileIsIgnored()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        writeFile(lastResultsPath(), content);
        JobRunner runner;
        ProfilePage page(&runner);
        QCOMPARE(page.tableModel()->rowCount(), 0);
        QVERIFY(page.results().isEmpty());
        QVERIFY2(page.statusText().contains("Ignored the saved results"), qPrintable(page.statusText()));
        QVERIFY2(page.statusText().contains(expected), qPrintable(page.statusText()));
        QCOMPARE(page.plots()->latencyPlot()->graphCount(), 0);
        QVERIFY(page.errorText().isEmpty());
    }

    // A restored sweep that scored quality checks Quality on text again, with the text and the budget it used, once a
    // model that can score is chosen (on start the Model page opens its folder after the page has restored): Run
    // sweep then measures the same numbers again. A restored sweep without quality leaves the box off.
    void restoredQualitySweepChecksQualityAgain()
    {
        QTemporaryDir dir;
        const LoadedModel model = tinyMaskedLm(dir.filePath("mlm"));
        const QString text = dir.filePath("text.txt");
        QByteArray words;
        for (int i = 0; i < 40; ++i)
            words += "Sparse attention reads long documents in blocks, with local windows and a few global ones. ";
        writeFile(text, words);

        JobRunner runner;
        std::vector<ProfilePoint> measured;
        {
            ProfilePage page(&runner);
            page.setModel(model);
            setUpTinySweep(page, QStringLiteral("64"), { QStringLiteral("fixed") });
            page.form()->qualityBox()->setChecked(true);
            page.form()->qualityPicker()->setPath(text);
            page.form()->qualityPicker()->setMaxTokens(300);
            QVERIFY(page.startSweep());
            QVERIFY(waitForFinish(page));
            measured = page.results().points;
        }
        QCOMPARE(int(measured.size()), 1);
        QVERIFY(measured[0].dense.quality && measured[0].sparse.quality);

        ProfilePage restored(&runner);
        QCOMPARE(restored.tableModel()->rowCount(), 1);
        QCheckBox* quality = restored.form()->qualityBox();
        QVERIFY(!quality->isEnabled()); // no model yet: nothing could score
        restored.setModel(model);
        QVERIFY(quality->isEnabled());
        QVERIFY(quality->isChecked());
        QVERIFY(restored.form()->qualityPicker()->isEnabled());
        const std::optional<SweepRequest> request = restored.form()->request(nullptr);
        QVERIFY(request && request->quality);
        QCOMPARE(request->quality->path, text);
        QCOMPARE(request->quality->maxTokens, std::int64_t(300));
        QVERIFY(restored.startSweep());
        QVERIFY(waitForFinish(restored));
        const std::vector<ProfilePoint>& again = restored.results().points;
        QCOMPARE(int(again.size()), 1);
        QVERIFY(again[0].dense.quality && again[0].sparse.quality);
        QCOMPARE(again[0].dense.quality->tokens, measured[0].dense.quality->tokens);
        QCOMPARE(again[0].dense.quality->loss, measured[0].dense.quality->loss);
        QCOMPARE(again[0].sparse.quality->accuracy, measured[0].sparse.quality->accuracy);

        // Unchecked by the user, it stays unchecked when the model comes again.
        quality->setChecked(false);
        restored.setModel(model);
        QVERIFY(!quality->isChecked());

        // The same model swept without quality: restored, the box is offered but off.
        restored.form()->lengthsEdit()->setText(QStringLiteral("64"));
        QVERIFY(restored.startSweep());
        QVERIFY(waitForFinish(restored));
        QVERIFY(!restored.results().points[0].sparse.quality);
        ProfilePage withoutQuality(&runner);
        withoutQuality.setModel(model);
        QVERIFY(withoutQuality.form()->qualityBox()->isEnabled());
        QVERIFY(!withoutQuality.form()->qualityBox()->isChecked());
        const std::optional<SweepRequest> plain = withoutQuality.form()->request(nullptr);
        QVERIFY(plain && !plain->quality);
    }

    // Quality on text needs a model folder with a masked-LM head: off, saying why, for the demo encoder and a bare
    // encoder.
    void qualityNeedsAMaskedLmModel()
    {
        JobRunner runner;
        ProfilePage page(&runner);
        QCheckBox* quality = page.form()->qualityBox();
        QVERIFY(!quality->isEnabled());
        QVERIFY2(quality->toolTip().contains("demo encoder has no masked-LM head"), qPrintable(quality->toolTip()));
        LoadedModel bare;
        bare.model = makeDemoEncoder(tinyShape(), {});
        bare.directory = QStringLiteral("/models/tiny-bert");
        page.setModel(bare);
        QVERIFY(!quality->isEnabled());
        QVERIFY2(quality->toolTip().contains("masked-LM checkpoint"), qPrintable(quality->toolTip()));
        setUpTinySweep(page, QStringLiteral("64"), { QStringLiteral("fixed") });
        const std::optional<SweepRequest> request = page.form()->request(nullptr);
        QVERIFY(request && !request->quality);
    }

    // A sweep of a small masked-LM with Quality on text: loss and accuracy per result (dense attention's the same
    // numbers as the engine's evaluation at that length), the speed-vs-quality plot with its Pareto front (checked
    // against brute force on the plotted points) and hover readouts, and the quality in the exports.
    void qualityOnTextFillsColumnsPlotAndExports()
    {
        QTemporaryDir dir;
        const LoadedModel model = tinyMaskedLm(dir.filePath("mlm"));

        JobRunner runner;
        ProfilePage page(&runner);
        page.setModel(model);
        setUpTinySweep(page, QStringLiteral("64, 128"), { QStringLiteral("fixed"), QStringLiteral("local") });
        QVERIFY(page.form()->qualityBox()->isEnabled());
        QVERIFY(page.tableView()->isColumnHidden(ResultsTableModel::LossColumn));
        page.form()->qualityBox()->setChecked(true);
        page.form()->qualityPicker()->setMaxTokens(500);
        QVERIFY(page.startSweep());
        QVERIFY(waitForFinish(page));
        const std::vector<ProfilePoint>& points = page.results().points;
        QCOMPARE(int(points.size()), 4);
        for (const ProfilePoint& point : points)
            QVERIFY(point.dense.quality && point.sparse.quality);
        QCOMPARE(page.results().settings["quality"]["max_tokens"].get<int>(), 500);
        const QString summary = page.findChild<QLabel*>("summary")->text();
        QVERIFY2(summary.contains("quality on 500 tokens of the shipped held-out text"), qPrintable(summary));

        const TokenizedText text = tokenizeQualityText(QualityTextChoice { {}, 500 }, *model.tokenizer);
        EvaluationSettings direct;
        direct.seqLen = 64;
        const EvaluationResult dense64 = evaluateMaskedLm(*model.model, *model.tokenizer, text, direct).front();
        QCOMPARE(points[0].dense.quality->loss, dense64.loss);
        QCOMPARE(points[0].dense.quality->tokens, dense64.tokens);

        QVERIFY(!page.tableView()->isColumnHidden(ResultsTableModel::LossColumn));
        QVERIFY(!page.tableView()->isColumnHidden(ResultsTableModel::AccuracyColumn));
        QCOMPARE(page.tableModel()->index(0, ResultsTableModel::LossColumn).data(Qt::UserRole).toDouble(),
            points[0].sparse.quality->loss);
        QVERIFY(page.tableModel()
                    ->index(0, ResultsTableModel::AccuracyColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains("dense: loss"));

        page.resize(1400, 1100);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QualityPlot* plot = page.plots()->qualityPlot();
        QVERIFY(plot->isVisibleTo(&page));
        QCOMPARE(plot->shownLength(), std::int64_t(128)); // the longest, unless chosen
        QCustomPlot* chart = plot->plot();
        chart->replot(QCustomPlot::rpImmediateRefresh);
        // Dense and the two layouts at 128 tokens, batch 1: time (ms) against accuracy.
        std::vector<std::string> names = { "dense" };
        std::vector<TradeOffPoint> expected = { { points[2].dense.time.medianMs, points[2].dense.quality->accuracy } };
        for (std::size_t i : { 2u, 3u }) {
            names.push_back(points[i].layout);
            expected.push_back({ points[i].sparse.time.medianMs, points[i].sparse.quality->accuracy });
        }
        std::vector<std::string> front;
        std::vector<double> steps; // the front's times, then the slowest point's
        double slowest = 0;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            bool dominated = false;
            for (std::size_t j = 0; j < expected.size(); ++j)
                dominated = dominated
                    || (j != i && expected[j].cost <= expected[i].cost && expected[j].benefit >= expected[i].benefit
                        && (expected[j].cost < expected[i].cost || expected[j].benefit > expected[i].benefit));
            if (!dominated) {
                front.push_back(names[i]);
                steps.push_back(expected[i].cost);
            }
            slowest = std::max(slowest, expected[i].cost);
        }
        std::sort(steps.begin(), steps.end());
        if (steps.back() < slowest)
            steps.push_back(slowest);
        std::vector<std::string> plotted = plot->frontNames();
        std::sort(front.begin(), front.end());
        std::sort(plotted.begin(), plotted.end());
        QCOMPARE(plotted, front);
        QCPGraph* line = nullptr;
        for (int i = 0; i < chart->graphCount(); ++i)
            if (chart->graph(i)->name() == "Pareto front")
                line = chart->graph(i);
        QVERIFY(line);
        QCOMPARE(line->lineStyle(), QCPGraph::lsStepLeft);
        // Through the front's points, then on at the best accuracy to the slowest point.
        std::vector<double> keys;
        for (auto it = line->data()->constBegin(); it != line->data()->constEnd(); ++it)
            keys.push_back(it->key);
        QCOMPARE(keys, steps);
        QCOMPARE(graphPoints(chart, "fixed"), 1);
        QCOMPARE(
            graphValueAt(chart, "fixed", points[2].sparse.time.medianMs), 100.0 * points[2].sparse.quality->accuracy);

        // Hovering the local point names it with its numbers.
        const QPointF onLocal = chart->graph(0)->coordsToPixels(
            points[3].sparse.time.medianMs, 100.0 * points[3].sparse.quality->accuracy);
        const QString readout = page.plots()->describePointAt(chart, onLocal);
        QVERIFY2(readout.startsWith("local · 128 tokens · batch 1: ") && readout.contains("accuracy")
                && readout.contains("loss"),
            qPrintable(readout));

        // Speed-up against loss: the step turns the other way.
        plot->setAxes(QualityPlot::Speed::Speedup, QualityPlot::Quality::Loss);
        for (int i = 0; i < chart->graphCount(); ++i)
            if (chart->graph(i)->name() == "Pareto front")
                QCOMPARE(chart->graph(i)->lineStyle(), QCPGraph::lsStepRight);
        QCOMPARE(graphValueAt(chart, "dense", 1.0), points[2].dense.quality->loss);

        QTemporaryDir out;
        QVERIFY(page.exportCsv(out.filePath("out.csv")));
        const std::vector<QStringList> rows = readCsv(out.filePath("out.csv"));
        const int lossColumn = int(rows[0].indexOf("loss"));
        const int denseAccuracyColumn = int(rows[0].indexOf("dense_accuracy"));
        QVERIFY(lossColumn >= 0 && denseAccuracyColumn >= 0);
        QCOMPARE(rows[1][lossColumn].toDouble(), points[0].sparse.quality->loss);
        QCOMPARE(rows[4][denseAccuracyColumn].toDouble(), points[3].dense.quality->accuracy);
        QVERIFY(page.exportJson(out.filePath("out.json")));
        const SweepResults back = loadResults(out.filePath("out.json"));
        QVERIFY(back.points[3].sparse.quality && back.points[3].dense.quality);
        QCOMPARE(back.points[3].sparse.quality->perplexity, points[3].sparse.quality->perplexity);
        QCOMPARE(back.points[3].dense.quality->tokens, points[3].dense.quality->tokens);
        QVERIFY(page.exportPng(out.path()));
        QVERIFY(!QImage(out.filePath("profile-quality.png")).isNull());
    }

    void tableModelPassesTheTester()
    {
        ResultsTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ProfilePoint point;
        point.seqLen = 64;
        point.batch = 2;
        point.layout = "fixed";
        point.paddedLength = 64;
        point.speedup = 0.5;
        model.appendPoint(point);
        point.seqLen = 100;
        point.paddedLength = 112;
        model.appendPoint(point);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(ResultsTableModel::ColumnCount));
        QCOMPARE(model.index(1, ResultsTableModel::LengthColumn).data().toString(), QStringLiteral("100 (→112)"));
        QCOMPARE(model.index(0, ResultsTableModel::SpeedupColumn).data().toString(), QStringLiteral("0.50×"));
        QCOMPARE(model.rowCount(model.index(0, 0)), 0);
        model.setPoints({ point });
        QCOMPARE(model.rowCount(), 1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestProfilePage)
#include "test_profile_page.moc"
