// The layout designer: edits made through the form update the heatmap and statistics to exactly what the engine
// builds for the same configuration (and to layouts derived by hand); invalid values are explained inline while the
// last valid layout stays; undo restores; heads can be switched; hover names the block.
#include "designer/heatmap_data.h"
#include "designer/layout_heatmap.h"
#include "designer/layout_stats_model.h"
#include "designer/layout_stats_widget.h"
#include "designer/parameter_form.h"
#include "designer_test_support.h"
#include "job_runner.h"
#include "presets.h"
#include "sparsity/layout.h"

#include "qcustomplot_include.h"
#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <functional>

using namespace spw;
using namespace spw::ui;
using namespace spw::ui::test;

namespace {

// One designer edit scenario: what the user does in the form, and the same change made to the configuration read
// independently from the preset file, for the engine to build the expected layout from.
struct Scenario {
    const char* name;
    const char* preset;
    std::function<void(LayoutDesignerPage&)> editForm;
    std::function<void(SparsityConfig&, std::int64_t& seqLen)> editConfig;
};

const std::vector<Scenario>& scenarios()
{
    static const std::vector<Scenario> all = {
        { "bslongformer, window 5", "bslongformer",
            [](LayoutDesignerPage& page) { setSpinField(page, "num_sliding_window_blocks", 5); },
            [](SparsityConfig& c, std::int64_t&) { c.numSlidingWindowBlocks = 5; } },
        { "bslongformer, global ranges", "bslongformer",
            [](LayoutDesignerPage& page) {
                setTextField(page, "global_block_indices", "0, 20");
                setTextField(page, "global_block_end_indices", "2, 23");
            },
            [](SparsityConfig& c, std::int64_t&) {
                c.globalBlockIndices = { 0, 20 };
                c.globalBlockEndIndices = std::vector<int> { 2, 23 };
            } },
        { "fixed, unidirectional", "fixed",
            [](LayoutDesignerPage& page) { setComboField(page, "attention", "unidirectional"); },
            [](SparsityConfig& c, std::int64_t&) { c.attention = AttentionDirection::Unidirectional; } },
        { "fixed, per-head patterns", "fixed",
            [](LayoutDesignerPage& page) {
                setCheckField(page, "different_layout_per_head", true);
                setSpinField(page, "num_local_blocks", 8);
                setSpinField(page, "num_global_blocks", 2);
                setSpinField(page, "num_different_global_patterns", 3);
            },
            [](SparsityConfig& c, std::int64_t&) {
                c.differentLayoutPerHead = true;
                c.numLocalBlocks = 8;
                c.numGlobalBlocks = 2;
                c.numDifferentGlobalPatterns = 3;
            } },
        { "bigbird, random 2, seed 7", "bigbird",
            [](LayoutDesignerPage& page) {
                setSpinField(page, "num_random_blocks", 2);
                setSpinField(page, "seed", 7);
            },
            [](SparsityConfig& c, std::int64_t&) {
                c.numRandomBlocks = 2;
                c.seed = 7;
            } },
        { "variable, windows and random", "variable",
            [](LayoutDesignerPage& page) {
                setTextField(page, "local_window_blocks", "2, 3");
                setTextField(page, "global_block_indices", "0, 5");
                setSpinField(page, "num_random_blocks", 1);
            },
            [](SparsityConfig& c, std::int64_t&) {
                c.localWindowBlocks = { 2, 3 };
                c.globalBlockIndices = { 0, 5 };
                c.numRandomBlocks = 1;
            } },
        { "dense, 256 tokens of block 32", "dense",
            [](LayoutDesignerPage& page) {
                setSpinField(page, "block", 32);
                setSpinField(page, "seq_len", 256);
            },
            [](SparsityConfig& c, std::int64_t& seqLen) {
                c.block = 32;
                seqLen = 256;
            } },
    };
    return all;
}

void compareHeatmapWithLayout(const LayoutHeatmap& heatmap, const Layout& expected, int head)
{
    QCOMPARE(heatmap.numBlocks(), expected.numBlocks);
    for (int row = 0; row < expected.numBlocks; ++row)
        for (int col = 0; col < expected.numBlocks; ++col) {
            const auto i = expected.index(head, row, col);
            const BlockSource source = expected.mask[i] ? expected.source[i] : BlockSource::None;
            if (heatmap.categoryAt(row, col) != int(categoryOf(source)))
                QFAIL(qPrintable(QStringLiteral("head %1, block (%2, %3): shows %4, engine says %5")
                                     .arg(head)
                                     .arg(row)
                                     .arg(col)
                                     .arg(heatmap.categoryAt(row, col))
                                     .arg(blockSourceName(source))));
        }
}

void compareStatsModel(const LayoutStatsModel& model, const LayoutStats& expected)
{
    QCOMPARE(model.rowCount(), int(expected.heads.size()) + 1);
    for (int head = 0; head < int(expected.heads.size()); ++head) {
        QCOMPARE(model.index(head, LayoutStatsModel::NonzeroColumn).data(Qt::UserRole).toLongLong(),
            expected.heads[head].nonzeroBlocks);
        QCOMPARE(model.index(head, LayoutStatsModel::DensityColumn).data(Qt::UserRole).toDouble(),
            expected.heads[head].density);
    }
    const int total = int(expected.heads.size());
    QCOMPARE(
        model.index(total, LayoutStatsModel::NonzeroColumn).data(Qt::UserRole).toLongLong(), expected.nonzeroBlocks);
    QCOMPARE(model.index(total, LayoutStatsModel::DensityColumn).data(Qt::UserRole).toDouble(), expected.density);
    QCOMPARE(
        model.index(total, LayoutStatsModel::FlopsColumn).data(Qt::UserRole).toDouble(), expected.flopsRelativeToDense);
    QCOMPARE(model.index(total, LayoutStatsModel::MemoryColumn).data(Qt::UserRole).toDouble(),
        expected.scoreMemoryRelativeToDense);
}

} // namespace

class TestLayoutDesigner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { initResources(); }

    void init()
    {
        m_runner = std::make_unique<JobRunner>();
        m_page = std::make_unique<LayoutDesignerPage>(m_runner.get());
        m_statsTester = std::make_unique<QAbstractItemModelTester>(
            m_page->statsWidget()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy shown(m_page.get(), &LayoutDesignerPage::layoutShown);
        QVERIFY(shown.wait(10000));
    }

    void cleanup()
    {
        m_statsTester.reset();
        m_page.reset();
        m_runner.reset();
    }

    void editUpdatesHeatmapAndStats_data()
    {
        QTest::addColumn<int>("scenario");
        for (int i = 0; i < int(scenarios().size()); ++i)
            QTest::newRow(scenarios()[i].name) << i;
    }

    void editUpdatesHeatmapAndStats()
    {
        QFETCH(int, scenario);
        const Scenario& s = scenarios()[scenario];
        QVERIFY(applyPresetAndWait(*m_page, s.preset));
        QVERIFY(actAndWaitForLayout(*m_page, [&] { s.editForm(*m_page); }));
        QVERIFY2(m_page->errorText().isEmpty(), qPrintable(m_page->errorText()));

        SparsityConfig config = loadSparsityConfig(SPW_PRESETS_DIR "/" + std::string(s.preset) + ".json");
        std::int64_t seqLen = defaultDesignerInput().seqLen;
        s.editConfig(config, seqLen);
        const int heads = defaultDesignerInput().config.numHeads;
        const Layout expected = makeLayout(config, seqLen, heads, config.seed.value_or(0));
        const LayoutStats expectedStats = computeStats(expected);

        QVERIFY(m_page->layout());
        QCOMPARE(m_page->layout()->numHeads, heads);
        QVERIFY(m_page->layout()->mask == expected.mask);
        QVERIFY(m_page->layout()->source == expected.source);
        compareHeatmapWithLayout(*m_page->heatmap(), expected, m_page->shownHead());
        compareStatsModel(*m_page->statsWidget()->model(), expectedStats);
        QVERIFY(
            m_page->statsWidget()->summaryText().contains(QLocale().toString(qlonglong(expectedStats.nonzeroBlocks))));
    }

    void handDerivedLayouts_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("attention");
        QTest::addColumn<int>("nonzeroPerHead");
        // 8 blocks of 16 tokens. Local window 3 (w = 1): the diagonal and both neighbours, 8 + 2·7 = 22, or the
        // diagonal and the lower neighbour, 8 + 7 = 15. Fixed, windows of 4 with the last block of each window
        // global from row 0: two 4×4 windows (32) plus columns 3 and 7 outside their own window (2·4 = 8).
        QTest::newRow("local bidirectional") << "local"
                                             << "bidirectional" << 22;
        QTest::newRow("local unidirectional") << "local"
                                              << "unidirectional" << 15;
        QTest::newRow("fixed bidirectional") << "fixed"
                                             << "bidirectional" << 40;
    }

    void handDerivedLayouts()
    {
        QFETCH(QString, mode);
        QFETCH(QString, attention);
        QFETCH(int, nonzeroPerHead);
        QVERIFY(selectModeAndWait(*m_page, mode));
        QVERIFY(actAndWaitForLayout(*m_page, [&] {
            setSpinField(*m_page, "num_heads", 2);
            setSpinField(*m_page, "block", 16);
            setSpinField(*m_page, "seq_len", 128);
            setComboField(*m_page, "attention", attention);
        }));
        QCOMPARE(m_page->layout()->numBlocks, 8);
        const LayoutStatsModel& model = *m_page->statsWidget()->model();
        QCOMPARE(model.index(0, LayoutStatsModel::NonzeroColumn).data(Qt::UserRole).toInt(), nonzeroPerHead);
        QCOMPARE(model.index(1, LayoutStatsModel::NonzeroColumn).data(Qt::UserRole).toInt(), nonzeroPerHead);
        QCOMPARE(model.index(2, LayoutStatsModel::NonzeroColumn).data(Qt::UserRole).toInt(), 2 * nonzeroPerHead);
        QCOMPARE(model.index(2, LayoutStatsModel::DensityColumn).data(Qt::UserRole).toDouble(), nonzeroPerHead / 64.0);
        int shown = 0;
        for (int row = 0; row < 8; ++row)
            for (int col = 0; col < 8; ++col)
                shown += m_page->heatmap()->categoryAt(row, col) != int(BlockCategory::None);
        QCOMPARE(shown, nonzeroPerHead);
    }

    void invalidValueKeepsLastLayout_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expectedMessage");
        QTest::newRow("local not a multiple of global")
            << "fixed"
            << "num_global_blocks"
            << "3"
            << "num_local_blocks (4) must be a multiple of num_global_blocks (3)";
        QTest::newRow("list that does not parse") << "bslongformer"
                                                  << "global_block_indices"
                                                  << "0, x"
                                                  << "global_block_indices: 'x' is not an integer";
        QTest::newRow("sequence not a multiple of the block") << "bslongformer"
                                                              << "seq_len"
                                                              << "1000"
                                                              << "1000";
        QTest::newRow("patterns without per-head layouts") << "fixed"
                                                           << "num_different_global_patterns"
                                                           << "2"
                                                           << "different_layout_per_head";
    }

    void invalidValueKeepsLastLayout()
    {
        QFETCH(QString, mode);
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, expectedMessage);
        QVERIFY(selectModeAndWait(*m_page, mode));
        const auto before = m_page->layout();
        const LayoutStats statsBefore = m_page->stats();
        const int cornerBefore = m_page->heatmap()->categoryAt(0, 0);

        QVERIFY(actAndWaitForRejection(*m_page, [&] {
            if (m_page->form()->findChild<QSpinBox*>(field))
                setSpinField(*m_page, field, value.toInt());
            else
                setTextField(*m_page, field, value);
        }));
        QVERIFY2(m_page->errorText().contains(expectedMessage), qPrintable(m_page->errorText()));
        QTest::qWait(50); // nothing else arrives late and replaces the layout
        QCOMPARE(m_page->layout(), before);
        QCOMPARE(m_page->stats().nonzeroBlocks, statsBefore.nonzeroBlocks);
        QCOMPARE(m_page->statsWidget()->model()->stats().nonzeroBlocks, statsBefore.nonzeroBlocks);
        QCOMPARE(m_page->heatmap()->categoryAt(0, 0), cornerBefore);
        QVERIFY(m_page->errorText().contains(expectedMessage));
    }

    void validValueClearsTheMessage()
    {
        QVERIFY(selectModeAndWait(*m_page, "fixed"));
        QVERIFY(actAndWaitForRejection(*m_page, [&] { setSpinField(*m_page, "num_global_blocks", 3); }));
        QVERIFY(actAndWaitForLayout(*m_page, [&] { setSpinField(*m_page, "num_global_blocks", 2); }));
        QVERIFY(m_page->errorText().isEmpty());
        QCOMPARE(m_page->input().config.numGlobalBlocks, 2);
    }

    void undoRestores()
    {
        const DesignerInput initial = m_page->input();
        const auto initialLayout = m_page->layout();
        auto* window = m_page->form()->findChild<QSpinBox*>("num_sliding_window_blocks");
        QVERIFY(actAndWaitForLayout(*m_page, [&] { QTest::keyClick(window, Qt::Key_Up); }));
        QCOMPARE(m_page->input().config.numSlidingWindowBlocks, initial.config.numSlidingWindowBlocks + 1);
        QVERIFY(m_page->layout()->mask != initialLayout->mask);
        QCOMPARE(m_page->undoStack()->count(), 1);

        QVERIFY(actAndWaitForLayout(*m_page, [&] { m_page->undoStack()->undo(); }));
        QVERIFY(m_page->input() == initial);
        QCOMPARE(window->value(), initial.config.numSlidingWindowBlocks);
        QVERIFY(m_page->layout()->mask == initialLayout->mask);
        QCOMPARE(m_page->stats().nonzeroBlocks, computeStats(*initialLayout).nonzeroBlocks);

        QVERIFY(actAndWaitForLayout(*m_page, [&] { m_page->undoStack()->redo(); }));
        QCOMPARE(window->value(), initial.config.numSlidingWindowBlocks + 1);
    }

    void undoAfterInvalidEditRestoresValidLayout()
    {
        QVERIFY(selectModeAndWait(*m_page, "fixed"));
        QVERIFY(actAndWaitForLayout(*m_page, [&] { setSpinField(*m_page, "num_local_blocks", 8); }));
        const int steps = m_page->undoStack()->count();
        QVERIFY(actAndWaitForRejection(*m_page, [&] { setSpinField(*m_page, "num_global_blocks", 3); }));
        // The rejected value made no undo step: undo takes back the last valid edit and clears the mark.
        QCOMPARE(m_page->undoStack()->count(), steps);
        QCOMPARE(m_page->form()->invalidField(), QStringLiteral("num_global_blocks"));
        QVERIFY(actAndWaitForLayout(*m_page, [&] { m_page->undoStack()->undo(); }));
        QCOMPARE(m_page->input().config.numLocalBlocks, 4);
        QCOMPARE(m_page->input().config.numGlobalBlocks, 1);
        QCOMPARE(m_page->form()->findChild<QSpinBox*>("num_global_blocks")->value(), 1);
        QVERIFY(m_page->errorText().isEmpty());
        QVERIFY(m_page->form()->invalidField().isEmpty());
    }

    void typingCommitsOnlyTheWholeValidNumber()
    {
        // Block 48 does not divide 1024 tokens. Typing "48" must neither draw block 4 on the way nor make an undo
        // step; the block field is marked with the reason while block 16's layout stays.
        const auto before = m_page->layout();
        QCOMPARE(before->block, 16);
        auto* block = m_page->form()->findChild<QSpinBox*>("block");
        QSignalSpy shown(m_page.get(), &LayoutDesignerPage::layoutShown);
        QVERIFY(actAndWaitForRejection(*m_page, [&] {
            block->selectAll();
            QTest::keyClicks(block, "48");
            QCOMPARE(m_page->undoStack()->count(), 0); // nothing committed while typing
            QTest::keyClick(block, Qt::Key_Return);
        }));
        QTest::qWait(100);
        QCOMPARE(shown.count(), 0);
        QCOMPARE(m_page->layout(), before);
        QCOMPARE(m_page->undoStack()->count(), 0);
        QCOMPARE(m_page->input().config.block, 16);
        QCOMPARE(block->value(), 48); // the user's value stays in the field, marked
        QCOMPARE(m_page->form()->invalidField(), QStringLiteral("block"));
        QVERIFY(block->property("invalid").toBool());
        QVERIFY2(
            m_page->form()->fieldMessage("block").contains("48"), qPrintable(m_page->form()->fieldMessage("block")));
        QVERIFY(m_page->form()->fieldMessage("seq_len").isEmpty());

        // A valid number is one undo step, and clears the mark.
        QVERIFY(actAndWaitForLayout(*m_page, [&] { setSpinField(*m_page, "block", 32); }));
        QCOMPARE(m_page->layout()->block, 32);
        QCOMPARE(m_page->undoStack()->count(), 1);
        QVERIFY(m_page->form()->invalidField().isEmpty());
        QVERIFY(!block->property("invalid").toBool());
        QVERIFY(m_page->errorText().isEmpty());
        QVERIFY(actAndWaitForLayout(*m_page, [&] { m_page->undoStack()->undo(); }));
        QCOMPARE(m_page->layout()->block, 16);
    }

    void rejectedValueCountsOnceAnotherFieldFitsIt()
    {
        // Block 48 does not divide 1024 tokens, but does divide 960: changing seq_len commits both at once.
        QVERIFY(actAndWaitForRejection(*m_page, [&] { setSpinField(*m_page, "block", 48); }));
        QCOMPARE(m_page->form()->invalidField(), QStringLiteral("block"));
        QVERIFY(actAndWaitForLayout(*m_page, [&] { setSpinField(*m_page, "seq_len", 960); }));
        QCOMPARE(m_page->layout()->block, 48);
        QCOMPARE(m_page->layout()->numBlocks, 20);
        QCOMPARE(m_page->undoStack()->count(), 1);
        QVERIFY(m_page->form()->invalidField().isEmpty());
        QVERIFY(actAndWaitForRejection(*m_page, [&] { setSpinField(*m_page, "seq_len", 1000); }));
        QCOMPARE(m_page->form()->invalidField(), QStringLiteral("seq_len"));
        QVERIFY(m_page->form()->fieldMessage("seq_len").contains("multiple of block (48)"));
    }

    void arrowStepsInOneFieldAreOneUndoStep()
    {
        const int start = m_page->input().config.numSlidingWindowBlocks;
        auto* window = m_page->form()->findChild<QSpinBox*>("num_sliding_window_blocks");
        for (int i = 0; i < 3; ++i)
            QVERIFY(actAndWaitForLayout(*m_page, [&] { QTest::keyClick(window, Qt::Key_Up); }));
        QCOMPARE(m_page->input().config.numSlidingWindowBlocks, start + 3);
        QCOMPARE(m_page->undoStack()->count(), 1);
        // Enter ends that edit: the next step is an undo step of its own.
        QTest::keyClick(window, Qt::Key_Return);
        QVERIFY(actAndWaitForLayout(*m_page, [&] { QTest::keyClick(window, Qt::Key_Up); }));
        QCOMPARE(m_page->undoStack()->count(), 2);
        QVERIFY(actAndWaitForLayout(*m_page, [&] { m_page->undoStack()->undo(); }));
        QCOMPARE(m_page->input().config.numSlidingWindowBlocks, start + 3);
        QVERIFY(actAndWaitForLayout(*m_page, [&] { m_page->undoStack()->undo(); }));
        QCOMPARE(m_page->input().config.numSlidingWindowBlocks, start);
        QCOMPARE(window->value(), start);
    }

    void modeChangeShowsItsFields()
    {
        QVERIFY(actAndWaitForLayout(*m_page, [&] { setComboField(*m_page, "mode", "fixed"); }));
        QVERIFY(m_page->form()->isFieldShown("num_local_blocks"));
        QVERIFY(!m_page->form()->isFieldShown("num_sliding_window_blocks"));
        QCOMPARE(m_page->input().config.mode, SparsityMode::Fixed);
        QVERIFY(actAndWaitForLayout(*m_page, [&] { setComboField(*m_page, "mode", "bigbird"); }));
        QVERIFY(m_page->form()->isFieldShown("num_random_blocks"));
        QVERIFY(m_page->form()->isFieldShown("num_global_blocks"));
        QVERIFY(!m_page->form()->isFieldShown("num_local_blocks"));
        QVERIFY(!m_page->form()->findChild<QWidget*>("num_local_blocks")->isVisibleTo(m_page->form()));
    }

    void headSelectorShowsThatHead()
    {
        QVERIFY(selectModeAndWait(*m_page, "fixed"));
        QVERIFY(actAndWaitForLayout(*m_page, [&] {
            setCheckField(*m_page, "different_layout_per_head", true);
            setSpinField(*m_page, "num_different_global_patterns", 4);
        }));
        const Layout layout = *m_page->layout();
        auto* head = m_page->findChild<QSpinBox*>("head");
        QCOMPARE(head->maximum(), layout.numHeads - 1);
        QSignalSpy headShown(m_page.get(), &LayoutDesignerPage::headShown);
        head->setValue(1);
        QVERIFY(headShown.wait(10000));
        QCOMPARE(m_page->shownHead(), 1);
        compareHeatmapWithLayout(*m_page->heatmap(), layout, 1);
        // The patterns differ between heads 0 and 1, so the test above could tell them apart.
        QVERIFY(!std::equal(layout.mask.begin(), layout.mask.begin() + layout.numBlocks * layout.numBlocks,
            layout.mask.begin() + layout.numBlocks * layout.numBlocks));
    }

    void hoverNamesTheBlock()
    {
        QVERIFY(applyPresetAndWait(*m_page, "bslongformer"));
        LayoutHeatmap& heatmap = *m_page->heatmap();
        QCOMPARE(heatmap.describeBlock(0, 5), QStringLiteral("row 0, col 5 (tokens 0–15 × 80–95): global"));
        QCOMPARE(heatmap.describeBlock(7, 8), QStringLiteral("row 7, col 8 (tokens 112–127 × 128–143): local"));
        QCOMPARE(
            heatmap.describeBlock(7, 30), QStringLiteral("row 7, col 30 (tokens 112–127 × 480–495): not attended"));

        m_page->resize(1200, 800);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        heatmap.plot()->replot();
        QCustomPlot* plot = heatmap.plot();
        const QPointF position(plot->xAxis->coordToPixel(8), plot->yAxis->coordToPixel(7));
        QSignalSpy hovered(&heatmap, &LayoutHeatmap::blockHovered);
        QMouseEvent move(
            QEvent::MouseMove, position, plot->mapToGlobal(position), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QCoreApplication::sendEvent(plot, &move);
        QCOMPARE(hovered.count(), 1);
        QCOMPARE(hovered.first().first().toString(), heatmap.describeBlock(7, 8));
    }

    void heatmapKeepsGlobalsAt65536Tokens()
    {
        // 4096² blocks drawn in a few hundred pixels: every cell of row 0 and column 0 must still be global.
        QVERIFY(applyPresetAndWait(*m_page, "bslongformer"));
        QVERIFY(actAndWaitForLayout(*m_page, [&] { setSpinField(*m_page, "num_heads", 1); }));
        QVERIFY(actAndWaitForLayout(*m_page, [&] { setSpinField(*m_page, "seq_len", 65536); }));
        LayoutHeatmap& heatmap = *m_page->heatmap();
        QCOMPARE(heatmap.numBlocks(), 4096);
        QVERIFY(heatmap.blocksPerCell() > 1);
        // Never more cells than pixels (a resize asks for cells that fit again).
        QTRY_VERIFY_WITH_TIMEOUT(
            (4096 + heatmap.blocksPerCell() - 1) / heatmap.blocksPerCell() <= heatmap.cellsAcross(), 10000);
        for (int i = 0; i < 4096; ++i) {
            QCOMPARE(heatmap.categoryAt(0, i), int(BlockCategory::Global));
            QCOMPARE(heatmap.categoryAt(i, 0), int(BlockCategory::Global));
        }
        QCOMPARE(heatmap.categoryAt(2000, 3000), int(BlockCategory::None));

        // Zooming in brings block-level cells for the view.
        heatmap.plot()->xAxis->setRange(99.5, 139.5);
        heatmap.plot()->yAxis->setRange(99.5, 139.5);
        QTRY_COMPARE_WITH_TIMEOUT(heatmap.blocksPerCell(), 1, 10000);
        QCOMPARE(heatmap.shownWindow(), (BlockWindow { 100, 100, 40, 40 }));
        const Layout& layout = *m_page->layout();
        for (int row = 100; row < 140; ++row)
            for (int col = 100; col < 140; ++col) {
                const auto i = layout.index(0, row, col);
                QCOMPARE(heatmap.categoryAt(row, col),
                    int(categoryOf(layout.mask[i] ? layout.source[i] : BlockSource::None)));
            }
    }

    void zoomStaysInsideAndResets()
    {
        LayoutHeatmap& heatmap = *m_page->heatmap();
        QCustomPlot* plot = heatmap.plot();
        const int n = heatmap.numBlocks();
        QCOMPARE(n, 64);
        const QCPRange whole(-0.5, n - 0.5);
        plot->xAxis->setRange(-50, 10000);
        QCOMPARE(plot->xAxis->range(), whole);
        plot->xAxis->setRange(-20, 5);
        QCOMPARE(plot->xAxis->range().lower, -0.5);
        QCOMPARE(plot->xAxis->range().size(), 25.0);
        plot->yAxis->setRange(10, 10.5); // closer than 4 blocks widens to 4
        QCOMPARE(plot->yAxis->range().size(), 4.0);
        QCOMPARE(plot->yAxis->range().center(), 10.25);

        m_page->resize(1000, 700);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        QTest::mouseDClick(plot, Qt::LeftButton, Qt::NoModifier, plot->axisRect()->rect().center());
        QCOMPARE(plot->xAxis->range(), whole);
        QCOMPARE(plot->yAxis->range(), whole);

        plot->xAxis->setRange(3, 20);
        plot->yAxis->setRange(3, 20);
        QTest::keyClick(plot, Qt::Key_Home);
        QCOMPARE(plot->xAxis->range(), whole);
        QCOMPARE(plot->yAxis->range(), whole);
    }

    void contextMenuSavesTheImage()
    {
        LayoutHeatmap& heatmap = *m_page->heatmap();
        QCOMPARE(heatmap.plot()->contextMenuPolicy(), Qt::CustomContextMenu);
        QVERIFY(heatmap.actions().contains(heatmap.saveImageAction()));
        QVERIFY(heatmap.actions().contains(heatmap.resetZoomAction()));
        QCOMPARE(heatmap.resetZoomAction()->shortcut(), QKeySequence(Qt::Key_Home));
        m_page->resize(1000, 700);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        QTemporaryDir dir;
        const QString path = dir.filePath("heatmap.png");
        QVERIFY(heatmap.saveImage(path));
        const QImage image(path);
        QVERIFY(!image.isNull());
        QVERIFY(image.height() > 300);
        QVERIFY(!heatmap.saveImage(QStringLiteral("/nonexistent-folder/heatmap.png")));
    }

    void hoverFollowsTheBlockAndItsRule()
    {
        QVERIFY(applyPresetAndWait(*m_page, "bslongformer"));
        m_page->resize(1200, 800);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        LayoutHeatmap& heatmap = *m_page->heatmap();
        QCustomPlot* plot = heatmap.plot();
        plot->replot();
        QSignalSpy hovered(&heatmap, &LayoutHeatmap::blockHovered);
        auto moveTo = [&](double col, double row) {
            const QPointF position(plot->xAxis->coordToPixel(col), plot->yAxis->coordToPixel(row));
            QMouseEvent move(
                QEvent::MouseMove, position, plot->mapToGlobal(position), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
            QCoreApplication::sendEvent(plot, &move);
        };
        moveTo(5, 0);
        moveTo(5.2, 0.1); // the same block: nothing new to say
        QCOMPARE(hovered.count(), 1);
        QCOMPARE(hovered.last().first().toString(), heatmap.describeBlock(0, 5));
        QVERIFY(heatmap.describeBlock(0, 5).endsWith("global"));
        moveTo(8, 7);
        QCOMPARE(hovered.count(), 2);
        QCOMPARE(hovered.last().first().toString(), heatmap.describeBlock(7, 8));
        moveTo(5, 0);
        QCOMPARE(hovered.count(), 3);
        // The layout changes under a resting mouse: the text follows the new rule of that block.
        QVERIFY(actAndWaitForLayout(*m_page, [&] { setTextField(*m_page, "global_block_indices", "1"); }));
        QCOMPARE(hovered.count(), 4);
        QVERIFY2(
            hovered.last().first().toString().endsWith("not attended"), qPrintable(hovered.last().first().toString()));
        QCOMPARE(m_page->heatmap()->findChild<QLabel*>("hover")->text(), hovered.last().first().toString());
    }

    void presetsListTheResources()
    {
        QComboBox* presets = m_page->presetBox();
        QAbstractItemModelTester tester(presets->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QStringList names;
        for (int i = 0; i < presets->count(); ++i)
            names << presets->itemData(i).toString();
        const QStringList files = QDir(SPW_PRESETS_DIR).entryList({ "*.json" }, QDir::Files, QDir::Name);
        QStringList expected;
        for (const QString& file : files)
            expected << file.chopped(5);
        QCOMPARE(names, expected);
        QVERIFY(names.contains("bslongformer"));
        // The entries say what each preset is, not the mode names the mode list already shows.
        const int bigbird = int(names.indexOf("bigbird"));
        QCOMPARE(presets->itemText(bigbird), QStringLiteral("BigBird: 3-block window, 1 global, 1 random (block 16)"));
        QCOMPARE(presets->itemText(int(names.indexOf("local"))),
            QStringLiteral("Sliding window: 3 blocks, causal (block 16)"));
        for (int i = 0; i < presets->count(); ++i)
            QVERIFY2(presets->itemText(i) != presets->itemData(i).toString(), qPrintable(presets->itemText(i)));
        // Choosing an entry applies its preset, and the configuration keeps the preset's name.
        QVERIFY(applyPresetAndWait(*m_page, "dense"));
        QVERIFY(actAndWaitForLayout(*m_page, [&] { Q_EMIT presets->activated(bigbird); }));
        QCOMPARE(m_page->input().config.mode, SparsityMode::BigBird);
        QCOMPARE(m_page->configName(), QStringLiteral("bigbird"));
    }

private:
    std::unique_ptr<JobRunner> m_runner;
    std::unique_ptr<LayoutDesignerPage> m_page;
    std::unique_ptr<QAbstractItemModelTester> m_statsTester;
};

QTEST_MAIN(TestLayoutDesigner)
#include "test_layout_designer.moc"
