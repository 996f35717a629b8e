// The shell: its pages, --page, and the GUI binary's flags (run offscreen): --screenshot writes a PNG of the
// window; a bad flag, page or file is one line on stderr and exit 2.
#include "designer/layout_designer_page.h"
#include "main_window.h"
#include "placeholder_page.h"
#include "profile/profile_page.h"
#include "presets.h"

#include <QImage>
#include <QLabel>
#include <QProcess>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace spw::ui;

namespace {

struct Run {
    int exitCode = -1;
    QString stderrText;
};

Run runGui(const QStringList& arguments)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("QT_QPA_PLATFORM", "offscreen");
    process.setProcessEnvironment(environment);
    process.start(SPW_GUI_PATH, arguments);
    if (!process.waitForFinished(60000)) {
        process.kill();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardError())};
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
        QCOMPARE(MainWindow::pageNames(), (QStringList{"model", "layout", "convert", "profile"}));
        for (const QString& name : MainWindow::pageNames()) {
            QVERIFY(window.selectPage(name));
            QCOMPARE(window.currentPageName(), name);
        }
        QVERIFY(window.selectPage("layout"));
        QCOMPARE(tabs->currentWidget(), window.layoutPage());
        QVERIFY(!window.selectPage("nope"));
        QCOMPARE(window.currentPageName(), QStringLiteral("layout"));
    }

    void unbuiltPagesSayWhatTheyWillHold()
    {
        MainWindow window;
        // The Profile page is built; any page still a placeholder says so.
        QVERIFY(window.selectPage("profile"));
        QCOMPARE(window.findChild<QTabWidget*>()->currentWidget(), window.profilePage());
        const auto placeholders = window.findChildren<PlaceholderPage*>();
        for (PlaceholderPage* page : placeholders) {
            auto* description = page->findChild<QLabel*>("placeholderDescription");
            QVERIFY(description);
            QVERIFY(description->text().contains("not built yet"));
        }
    }

    void screenshotWritesPng()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("shot.png");
        const Run run = runGui({"--sparsity", SPW_PRESETS_DIR "/bslongformer.json", "--page", "layout",
                                "--screenshot", path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stderrText));
        QVERIFY(QFileInfo(path).size() > 0);
        const QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(1440, 900));
    }

    void badInputExitsWithTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expectedMessage");
        QTest::newRow("unknown flag") << QStringList{"--frobnicate"} << "frobnicate";
        QTest::newRow("unknown page") << QStringList{"--page", "nope", "--screenshot", "x.png"} << "--page";
        QTest::newRow("missing sparsity file")
            << QStringList{"--sparsity", "/nonexistent/s.json", "--screenshot", "x.png"} << "/nonexistent/s.json";
        QTest::newRow("model not a folder") << QStringList{"--model", "/nonexistent/model", "--screenshot", "x.png"}
                                            << "--model";
        QTest::newRow("stray argument") << QStringList{"extra"} << "extra";
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
