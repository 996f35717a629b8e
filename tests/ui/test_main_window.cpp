// The shell: its pages, --page, and the GUI binary's flags (run offscreen): --screenshot writes a PNG of the
// window; a bad flag, page or file is one line on stderr and exit 2.
#include "convert/conversion_plan.h"
#include "convert/convert_page.h"
#include "convert/sparse_attention_record.h"
#include "designer/layout_designer_page.h"
#include "export/export_model.h"
#include "job_runner.h"
#include "main_window.h"
#include "model/create_model.h"
#include "model/encoder_model.h"
#include "model/model_page.h"
#include "model/sparse_attention_setting.h"
#include "presets.h"
#include "profile/profile_page.h"
#include "tokenizer/demo_tokenizer.h"

#include <QDir>
#include <QImage>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace spw;
using namespace spw::ui;

namespace {

struct Run {
    int exitCode = -1;
    QString stderrText;
};

// The GUI runs with its own cache and settings folders, so that the demo model it creates and the recent folders it
// records stay inside the test's temporary folder.
Run runGui(const QStringList& arguments, const QString& cacheHome = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("QT_QPA_PLATFORM", "offscreen");
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

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { initResources(); }

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
        // Without --model the demo model was created in the cache given to the GUI.
        QCOMPARE(
            QDir(dir.filePath("cache/sparse-workbench")).entryList({ "demo-bert-*" }, QDir::Dirs).size(), demo ? 1 : 0);
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
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
