// The designer's files: Save… writes what the engine reads back, Open… restores it, every preset builds the
// engine's layout, and a bad file is explained inline with the last layout kept.
#include "designer/layout_stats_model.h"
#include "designer/layout_stats_widget.h"
#include "designer_test_support.h"
#include "job_runner.h"
#include "presets.h"
#include "sparsity/layout.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace spw;
using namespace spw::ui;
using namespace spw::ui::test;

class TestDesignerFiles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { initResources(); }

    void init()
    {
        m_runner = std::make_unique<JobRunner>();
        m_page = std::make_unique<LayoutDesignerPage>(m_runner.get());
        QSignalSpy shown(m_page.get(), &LayoutDesignerPage::layoutShown);
        QVERIFY(shown.wait(10000));
    }

    void cleanup()
    {
        m_page.reset();
        m_runner.reset();
    }

    void saveThenOpenRoundTrips()
    {
        QVERIFY(actAndWaitForLayout(*m_page, [&] {
            QVERIFY(m_page->applyPreset("bigbird"));
            setSpinField(*m_page, "num_random_blocks", 2);
            setSpinField(*m_page, "num_global_blocks", 3);
            setSpinField(*m_page, "seed", 11);
            setSpinField(*m_page, "num_heads", 4);
        }));
        const SparsityConfig edited = m_page->input().config;
        QTemporaryDir dir;
        const QString path = dir.filePath("sparsity.json");
        QSignalSpy saved(m_page.get(), &LayoutDesignerPage::configSaved);
        QVERIFY(m_page->saveConfig(path));
        QCOMPARE(saved.count(), 1);

        // The engine reads back exactly what was edited.
        const SparsityConfig reread = loadSparsityConfig(path.toStdString());
        QCOMPARE(reread.numRandomBlocks, 2);
        QCOMPARE(reread.numGlobalBlocks, 3);
        QVERIFY(reread == edited);

        // A fresh designer opening the file shows the same layout.
        JobRunner runner;
        LayoutDesignerPage other(&runner);
        QVERIFY(actAndWaitForLayout(other, [] {}));
        QVERIFY(actAndWaitForLayout(other, [&] { QVERIFY(other.openConfig(path)); }));
        QVERIFY(other.input().config == edited);
        QVERIFY(other.layout()->mask == m_page->layout()->mask);
        QVERIFY(other.layout()->source == m_page->layout()->source);
        // Opening is one undoable edit.
        QCOMPARE(other.undoStack()->count(), 1);
    }

    void badFileIsExplained_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("expectedMessage");
        QTest::newRow("unknown key") << QByteArray(R"({"mode": "fixed", "num_locl_blocks": 4})") << "num_locl_blocks";
        QTest::newRow("unknown mode") << QByteArray(R"({"mode": "sparse"})") << "sparse";
        QTest::newRow("not JSON") << QByteArray("{mode") << "sparsity.json";
        QTest::newRow("wrong type") << QByteArray(R"({"mode": "fixed", "block": "16"})") << "block";
    }

    void badFileIsExplained()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QString, expectedMessage);
        QTemporaryDir dir;
        const QString path = dir.filePath("sparsity.json");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(contents);
        file.close();
        const auto before = m_page->layout();
        const DesignerInput inputBefore = m_page->input();
        QVERIFY(!m_page->openConfig(path));
        QVERIFY2(m_page->errorText().contains(expectedMessage), qPrintable(m_page->errorText()));
        QCOMPARE(m_page->layout(), before);
        QVERIFY(m_page->input() == inputBefore);
        QCOMPARE(m_page->undoStack()->count(), 0);
    }

    void missingFileIsExplained()
    {
        QVERIFY(!m_page->openConfig("/nonexistent/sparsity.json"));
        QVERIFY2(m_page->errorText().contains("/nonexistent/sparsity.json"), qPrintable(m_page->errorText()));
    }

    void invalidConfigIsNotSaved()
    {
        QVERIFY(selectModeAndWait(*m_page, "fixed"));
        QVERIFY(actAndWaitForRejection(*m_page, [&] { setSpinField(*m_page, "num_global_blocks", 3); }));
        QTemporaryDir dir;
        const QString path = dir.filePath("sparsity.json");
        QVERIFY(!m_page->saveConfig(path));
        QVERIFY(!QFile::exists(path));
        QVERIFY(m_page->errorText().startsWith("Not saved:"));
    }

    void everyPresetBuildsTheEngineLayout_data()
    {
        QTest::addColumn<QString>("preset");
        for (const QString& file : QDir(SPW_PRESETS_DIR).entryList({ "*.json" }, QDir::Files, QDir::Name))
            QTest::newRow(qPrintable(file)) << file.chopped(5);
    }

    void everyPresetBuildsTheEngineLayout()
    {
        QFETCH(QString, preset);
        QVERIFY(applyPresetAndWait(*m_page, preset));
        const SparsityConfig config
            = loadSparsityConfig(QStringLiteral(SPW_PRESETS_DIR "/%1.json").arg(preset).toStdString());
        const DesignerInput defaults = defaultDesignerInput();
        const Layout expected = makeLayout(config, defaults.seqLen,
            config.numHeads ? config.numHeads : defaults.config.numHeads, config.seed.value_or(0));
        QVERIFY(m_page->layout()->mask == expected.mask);
        QCOMPARE(m_page->statsWidget()->model()->stats().nonzeroBlocks, computeStats(expected).nonzeroBlocks);
    }

private:
    std::unique_ptr<JobRunner> m_runner;
    std::unique_ptr<LayoutDesignerPage> m_page;
};

QTEST_MAIN(TestDesignerFiles)
#include "test_designer_files.moc"
