// The shell: its pages, --page, and the GUI binary's flags (run offscreen): --screenshot writes a PNG of the
// window; a bad flag, page or file is one line on stderr and exit 2.
#include "convert/conversion_plan.h"
#include "convert/convert_page.h"
#include "convert/sparse_attention_record.h"
#include "designer/layout_designer_page.h"
#include "designer/layout_heatmap.h"
#include "designer/layout_stats_widget.h"
#include "designer/parameter_form.h"
#include "export/export_model.h"
#include "job_runner.h"
#include "main_window.h"
#include "model/create_model.h"
#include "model/encoder_model.h"
#include "model/model_page.h"
#include "model/sparse_attention_setting.h"
#include "presets.h"
#include "profile/profile_page.h"
#include "profile/profile_plots.h"
#include "qcustomplot_include.h"
#include "sparsity/sparsity_config.h"
#include "tokenizer/demo_tokenizer.h"
#include "workbench_settings.h"

#include <QAbstractItemView>
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace spw;
using namespace spw::ui;

namespace {

struct Run {
    int exitCode = -1;
    QString stderrText;
};

// The GUI runs with its own cache and settings folders, so that the demo model it creates and the recent folders it
// records stay inside the test's temporary folder; without one it still never sees the user's settings.
Run runGui(const QStringList& arguments, const QString& cacheHome = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("QT_QPA_PLATFORM", "offscreen");
    QTemporaryDir ownConfig;
    environment.insert("XDG_CONFIG_HOME", ownConfig.path());
    if (!cacheHome.isEmpty()) {
        environment.insert("XDG_CACHE_HOME", cacheHome);
        environment.insert("XDG_CONFIG_HOME", cacheHome + "/config");
    }
    process.setProcessEnvironment(environment);
    process.start(SPW_GUI_PATH, arguments);
    if (!process.waitForFinished(60000)) {
        process.kill();
        return {};
    }
    return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
        QString::fromUtf8(process.readAllStandardError()) };
}

QString createTinyModel(const QTemporaryDir& dir, const QString& name, std::int64_t heads, std::int64_t positions)
{
    CreateModelOptions options;
    options.layers = 2;
    options.hidden = 32;
    options.heads = heads;
    options.intermediate = 64;
    options.maxPosition = positions;
    options.vocab = demoVocabularySize(ModelFamily::Bert);
    const QString path = dir.filePath(name);
    createModelFolder(path.toStdString(), options);
    return path;
}

// Opens `folder` on the window's Model page and waits until the designer shows the layout that follows.
bool openAndWait(MainWindow& window, const QString& folder)
{
    QSignalSpy loaded(window.modelPage(), &ModelPage::modelLoaded);
    window.modelPage()->openFolder(folder);
    if (!loaded.wait(60000))
        return false;
    return QTest::qWaitFor([&] { return !window.jobRunner()->isBusy(); }, 60000);
}

// The window at `size` on the Layout designer page with its first layout drawn; null when that did not happen.
LayoutDesignerPage* showDesigner(MainWindow& window, const QSize& size)
{
    window.resize(size);
    window.selectPage("layout");
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return nullptr;
    LayoutDesignerPage* page = window.layoutPage();
    return QTest::qWaitFor([page] { return page->layout() != nullptr; }, 10000) ? page : nullptr;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // In-process windows read and write settings: keep them in a folder of the test's own.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("spw-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_main_window"));
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        initResources();
    }

    void settingsStayInTheTestFolder()
    {
        QVERIFY(workbenchSettings().fileName().startsWith(m_settingsDir.path()));
        QTemporaryDir dir;
        QCOMPARE(dialogFolder("openConfig"), QDir::homePath());
        rememberDialogFolder("openConfig", dir.filePath("config.json"));
        QCOMPARE(dialogFolder("openConfig"), dir.path());
        QCOMPARE(dialogStart("openConfig", "x.json"), dir.filePath("x.json"));
        rememberDialogFolder("openModel", dir.path(), true);
        QCOMPARE(dialogFolder("openModel"), dir.path());
        QCOMPARE(dialogFolder("openConfig"), dir.path());
        QCOMPARE(dialogFolder("neverUsed"), QDir::homePath());
    }

    void sessionComesBack()
    {
        const QList<int> sizes { 260, 520, 230 };
        QList<int> saved;
        {
            MainWindow window;
            window.resize(1100, 700);
            window.selectPage("layout");
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            LayoutDesignerPage* page = window.layoutPage();
            if (!page->layout())
                QVERIFY(QSignalSpy(page, &LayoutDesignerPage::layoutShown).wait(10000));
            QVERIFY(page->applyPreset("fixed"));
            DesignerInput input = page->input();
            input.seqLen = 512;
            input.config.numLocalBlocks = 8;
            QVERIFY(page->edit(input, "test"));
            auto* splitter = window.findChild<QSplitter*>("designerSplitter");
            QVERIFY(splitter);
            splitter->setSizes(sizes);
            saved = splitter->sizes();
            QVERIFY(window.close());
        }
        MainWindow window;
        window.restoreSession();
        LayoutDesignerPage* page = window.layoutPage();
        QVERIFY(page->input().config.mode == spw::SparsityMode::Fixed);
        QCOMPARE(page->input().seqLen, 512);
        QCOMPARE(page->input().config.numLocalBlocks, 8);
        QCOMPARE(page->undoStack()->count(), 0); // where the history starts, not an edit
        QCOMPARE(window.size(), QSize(1100, 700));
        window.selectPage("layout");
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.findChild<QSplitter*>("designerSplitter")->sizes(), saved);
        QTRY_COMPARE_WITH_TIMEOUT(page->layout() ? page->layout()->numBlocks : 0, 32, 10000);
    }

    void pagesAndSelection()
    {
        MainWindow window;
        auto* tabs = window.findChild<QTabWidget*>();
        QVERIFY(tabs);
        QCOMPARE(tabs->count(), 4);
        QCOMPARE(MainWindow::pageNames(), (QStringList { "model", "layout", "convert", "profile" }));
        for (const QString& name : MainWindow::pageNames()) {
            QVERIFY(window.selectPage(name));
            QCOMPARE(window.currentPageName(), name);
        }
        QVERIFY(window.selectPage("layout"));
        QCOMPARE(tabs->currentWidget(), window.layoutPage());
        QVERIFY(!window.selectPage("nope"));
        QCOMPARE(window.currentPageName(), QStringLiteral("layout"));
    }

    void everyPageIsBuilt()
    {
        MainWindow window;
        auto* tabs = window.findChild<QTabWidget*>();
        const QList<QWidget*> pages { window.modelPage(), window.layoutPage(), window.convertPage(),
            window.profilePage() };
        QCOMPARE(tabs->count(), pages.size());
        for (int i = 0; i < pages.size(); ++i) {
            QVERIFY(pages[i]);
            QCOMPARE(tabs->widget(i), pages[i]);
        }
    }

    // The designer draws at the open model's heads and length until the user sets them, says which on screen, and
    // goes back to the model's with one click.
    void designerFollowsTheOpenModel()
    {
        QTemporaryDir dir;
        const QString tiny = createTinyModel(dir, "tiny", 4, 100);
        const QString other = createTinyModel(dir, "other", 8, 64);
        MainWindow window;
        LayoutDesignerPage* designer = window.layoutPage();
        auto* useModel = designer->findChild<QPushButton*>("useModelShape");
        QVERIFY(designer->modelNoteText().isEmpty());
        QVERIFY(openAndWait(window, tiny));
        // 100 positions, drawn at 112: the longest input padded to the block, as the converted model builds it.
        QCOMPARE(designer->input().config.numHeads, 4);
        QCOMPARE(designer->input().seqLen, std::int64_t(112));
        QCOMPARE(designer->layout()->numHeads, 4);
        QVERIFY(designer->followsModel());
        QVERIFY2(designer->modelNoteText().contains("from the open model tiny: 4 heads, 112 tokens"),
            qPrintable(designer->modelNoteText()));
        QVERIFY(!useModel->isVisibleTo(designer));

        DesignerInput mine = designer->input();
        mine.config.numHeads = 2;
        designer->edit(mine, "heads");
        QVERIFY(!designer->followsModel());
        QVERIFY2(designer->modelNoteText().contains("set here: 2 heads")
                && designer->modelNoteText().contains("tiny has 4 heads"),
            qPrintable(designer->modelNoteText()));
        QVERIFY(useModel->isVisibleTo(designer));

        // Another model does not overrule the user's choice; the note names it.
        QVERIFY(openAndWait(window, other));
        QCOMPARE(designer->input().config.numHeads, 2);
        QCOMPARE(designer->input().seqLen, std::int64_t(112));
        QVERIFY2(designer->modelNoteText().contains("other has 8 heads"), qPrintable(designer->modelNoteText()));
        useModel->click();
        QCOMPARE(designer->input().config.numHeads, 8);
        QCOMPARE(designer->input().seqLen, std::int64_t(64));
        QVERIFY(designer->followsModel());
        QVERIFY(!useModel->isVisibleTo(designer));
    }

    // A converted model shows its recorded sparse attention on the Model page and Convert & export; one click opens
    // the very layout its sparse layer runs in the designer.
    void convertedModelOpensInTheDesigner()
    {
        QTemporaryDir dir;
        const QString tiny = createTinyModel(dir, "tiny", 4, 128);
        ConversionPlan plan;
        plan.maxLength = 256;
        SparsityConfig fixed = defaultsFor(SparsityMode::Fixed);
        fixed.numLocalBlocks = 2;
        plan.sparsity = fixed;
        plan.seed = 3;
        plan.layers = std::vector<int> { 1 };
        std::unique_ptr<EncoderModel> model = loadForRun(tiny.toStdString());
        const ConversionRecord record = applyConversionPlan(*model, plan);
        const QString out = dir.filePath("tiny-sparse");
        exportModel(*model, record, tiny.toStdString(), out.toStdString(), false);

        MainWindow window;
        QVERIFY(openAndWait(window, out));
        auto* sparsity = window.modelPage()->findChild<QLabel*>("modelSparsity");
        QVERIFY(sparsity->isVisibleTo(window.modelPage()));
        QVERIFY2(sparsity->text().contains("fixed, block 16, seed 3, in layers 1 of 2"), qPrintable(sparsity->text()));
        const QString source = window.convertPage()->findChild<QLabel*>("sourceModel")->text();
        QVERIFY2(source.contains("Already sparse: fixed, block 16, seed 3, in layers 1 of 2"), qPrintable(source));

        LayoutDesignerPage* designer = window.layoutPage();
        QSignalSpy shown(designer, &LayoutDesignerPage::layoutShown);
        window.modelPage()->findChild<QPushButton*>("openModelSparsity")->click();
        QCOMPARE(window.currentPageName(), QStringLiteral("layout"));
        QVERIFY(shown.wait(30000));
        QCOMPARE(designer->input().config.mode, SparsityMode::Fixed);
        QCOMPARE(designer->input().config.numLocalBlocks, 2);
        QCOMPARE(designer->input().seed(), std::uint64_t(3));
        QCOMPARE(designer->input().seqLen, std::int64_t(256));
        QVERIFY(designer->followsModel());
        const auto& running = window.modelPage()->model().model->selfAttention(1).sparseAttention();
        QVERIFY(running);
        QCOMPARE(designer->layout()->fingerprint, running->layout.fingerprint);
        QVERIFY(!window.modelPage()->model().model->selfAttention(0).sparseAttention());
    }

    void menusAndStandardShortcuts()
    {
        MainWindow window;
        QStringList menus;
        for (QAction* menu : window.menuBar()->actions())
            menus << menu->text().remove('&');
        QCOMPARE(menus, (QStringList { "File", "Edit", "View", "Help" }));
        const QList<std::pair<QString, QKeySequence>> expected {
            { "undo", QKeySequence("Ctrl+Z") },
            { "redo", QKeySequence("Ctrl+Shift+Z") },
            { "redo", QKeySequence("Ctrl+Y") },
            { "openModel", QKeySequence("Ctrl+O") },
            { "saveConfig", QKeySequence("Ctrl+S") },
            { "quit", QKeySequence("Ctrl+Q") },
            { "help", QKeySequence("F1") },
        };
        for (const auto& [name, keys] : expected) {
            QAction* action = window.action(name);
            QVERIFY2(action, qPrintable(name));
            QVERIFY2(action->shortcuts().contains(keys), qPrintable(name + ": " + keys.toString()));
        }
        QVERIFY(window.action("about"));
    }

    void shortcutsUndoRedoAndHelp()
    {
        MainWindow window;
        LayoutDesignerPage* page = window.layoutPage();
        window.selectPage("layout");
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        if (!page->layout())
            QVERIFY(QSignalSpy(page, &LayoutDesignerPage::layoutShown).wait(10000));
        // Shortcuts go to the window, not to a text field that has its own undo.
        window.findChild<QTabWidget*>()->setFocus();
        const int window0 = page->input().config.numSlidingWindowBlocks;
        QVERIFY(page->applyPreset("local"));
        QCOMPARE(page->undoStack()->count(), 1);
        QVERIFY(page->input().config.mode == spw::SparsityMode::Local);

        QTest::keySequence(&window, QKeySequence("Ctrl+Z"));
        QCOMPARE(page->undoStack()->index(), 0);
        QVERIFY(page->input().config.mode == spw::SparsityMode::BSLongformer);
        QCOMPARE(page->input().config.numSlidingWindowBlocks, window0);
        QTest::keySequence(&window, QKeySequence("Ctrl+Y"));
        QCOMPARE(page->undoStack()->index(), 1);
        QTest::keySequence(&window, QKeySequence("Ctrl+Z"));
        QTest::keySequence(&window, QKeySequence("Ctrl+Shift+Z"));
        QCOMPARE(page->undoStack()->index(), 1);
        QVERIFY(page->input().config.mode == spw::SparsityMode::Local);

        QTest::keySequence(&window, QKeySequence("Ctrl+4"));
        QCOMPARE(window.currentPageName(), QStringLiteral("profile"));
        QVERIFY(!window.findChild<QMessageBox*>("helpDialog"));
        QTest::keyClick(&window, Qt::Key_F1);
        auto* help = window.findChild<QMessageBox*>("helpDialog");
        QVERIFY(help);
        QVERIFY(help->isVisible());
        QVERIFY(help->text().contains("Ctrl+Z"));
        help->close();
        QTest::keySequence(&window, QKeySequence("Ctrl+Q"));
        QVERIFY(!window.isVisible());
    }

    void smallWindowKeepsTheHeatmapUsable()
    {
        MainWindow window;
        LayoutDesignerPage* page = showDesigner(window, QSize(1024, 640));
        QVERIFY(page);
        auto* parameters = window.findChild<QWidget*>("parametersPanel");
        auto* statistics = window.findChild<QWidget*>("statsPanel");
        QVERIFY(parameters && statistics);
        QVERIFY(parameters->isVisible() && statistics->isVisible());
        QCustomPlot* plot = page->heatmap()->plot();
        const QRect square = plot->axisRect()->rect();
        QVERIFY2(square.width() >= 300 && square.height() >= 300,
            qPrintable(QStringLiteral("%1×%2").arg(square.width()).arg(square.height())));

        // View ▸ panels hide a side panel, and the heatmap takes the room.
        QMenu* view = window.menuBar()->actions().at(2)->menu();
        QVERIFY(view->actions().contains(page->statsPanelAction()));
        QVERIFY(view->actions().contains(page->parametersPanelAction()));
        const int before = page->heatmap()->width();
        page->statsPanelAction()->trigger();
        QVERIFY(!statistics->isVisible());
        QTRY_VERIFY(page->heatmap()->width() > before);
        page->statsPanelAction()->trigger();
        QVERIFY(statistics->isVisible());

        // The profile plots keep their readable size and scroll instead.
        window.selectPage("profile");
        QCoreApplication::processEvents();
        ProfilePlots* plots = window.profilePage()->plots();
        for (QCustomPlot* each :
            { plots->latencyPlot(), plots->speedupPlot(), plots->memoryPlot(), plots->layersPlot() }) {
            QVERIFY(each->height() >= each->minimumHeight());
            QVERIFY(each->width() >= each->minimumWidth());
        }
    }

    // At the workbench's usual size the side panels show their fields and statistics whole (no cut-off names).
    void largeWindowShowsTheSidePanelsWhole()
    {
        MainWindow window;
        LayoutDesignerPage* page = showDesigner(window, QSize(1440, 900));
        QVERIFY(page);
        auto* parameters = window.findChild<QWidget*>("parametersPanel");
        auto* statistics = window.findChild<QWidget*>("statsPanel");
        QTRY_VERIFY2(parameters->width() >= page->form()->sizeHint().width(),
            qPrintable(QStringLiteral("%1 < %2").arg(parameters->width()).arg(page->form()->sizeHint().width())));
        QVERIFY2(statistics->width() >= page->statsWidget()->sizeHint().width(),
            qPrintable(
                QStringLiteral("%1 < %2").arg(statistics->width()).arg(page->statsWidget()->sizeHint().width())));
        // sizeHintForColumn is public on QAbstractItemView (QTableView re-declares it protected).
        QTableView* table = page->statsWidget()->table();
        const QAbstractItemView* view = table;
        for (int column = 0; column < table->model()->columnCount(); ++column) // no figure elided ("15.0…")
            QTRY_VERIFY2(table->columnWidth(column) >= view->sizeHintForColumn(column),
                qPrintable(QStringLiteral("column %1: %2 < %3")
                               .arg(column)
                               .arg(table->columnWidth(column))
                               .arg(view->sizeHintForColumn(column))));
        QVERIFY(page->heatmap()->plot()->axisRect()->rect().width() >= 300);
    }

    void screenshotWritesPng()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("shot.png");
        const Run run
            = runGui({ "--sparsity", SPW_PRESETS_DIR "/bslongformer.json", "--page", "layout", "--screenshot", path },
                dir.filePath("cache"));
        QVERIFY2(run.exitCode == 0, qPrintable(run.stderrText));
        QVERIFY(QFileInfo(path).size() > 0);
        const QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(1440, 900));
    }

    void screenshotOfModelAndConvertPages_data()
    {
        QTest::addColumn<QString>("page");
        QTest::addColumn<bool>("demo");
        QTest::newRow("model, fixture") << "model" << false;
        QTest::newRow("convert, fixture") << "convert" << false;
        QTest::newRow("model, demo") << "model" << true;
    }

    void screenshotOfModelAndConvertPages()
    {
        QFETCH(QString, page);
        QFETCH(bool, demo);
        QTemporaryDir dir;
        const QString path = dir.filePath("shot.png");
        QStringList arguments { "--page", page, "--screenshot", path };
        if (!demo)
            arguments << "--model" << SPW_FIXTURES_DIR "/models/bert_mlm";
        const Run run = runGui(arguments, dir.filePath("cache"));
        QVERIFY2(run.exitCode == 0, qPrintable(run.stderrText));
        QCOMPARE(QImage(path).size(), QSize(1440, 900));
        // Without --model the shipped demo model is read where it is: nothing is created in the cache.
        QCOMPARE(QDir(dir.filePath("cache/sparse-workbench")).entryList({ "demo-bert-*" }, QDir::Dirs).size(), 0);
    }

    void modelThatFailsToLoadFailsTheScreenshot()
    {
        QTemporaryDir dir;
        const Run run = runGui({ "--model", dir.path(), "--screenshot", dir.filePath("shot.png") }, dir.path());
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stderrText.contains("error: --model:"), qPrintable(run.stderrText));
        QVERIFY2(run.stderrText.contains("config.json"), qPrintable(run.stderrText));
        QVERIFY(!QFileInfo::exists(dir.filePath("shot.png")));
    }

    void badInputExitsWithTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expectedMessage");
        QTest::newRow("unknown flag") << QStringList { "--frobnicate" } << "frobnicate";
        QTest::newRow("unknown page") << QStringList { "--page", "nope", "--screenshot", "x.png" } << "--page";
        QTest::newRow("missing sparsity file")
            << QStringList { "--sparsity", "/nonexistent/s.json", "--screenshot", "x.png" } << "/nonexistent/s.json";
        QTest::newRow("model not a folder")
            << QStringList { "--model", "/nonexistent/model", "--screenshot", "x.png" } << "--model";
        QTest::newRow("stray argument") << QStringList { "extra" } << "extra";
    }

    void badInputExitsWithTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expectedMessage);
        const Run run = runGui(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stderrText.contains("error:"), qPrintable(run.stderrText));
        QVERIFY2(run.stderrText.contains(expectedMessage), qPrintable(run.stderrText));
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
