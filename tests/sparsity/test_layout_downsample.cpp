// Max-pooled downsampling for drawing big layouts: no kept block is lost, thin global rows and columns survive at
// 65,536 tokens, and the pooled cells match a per-cell brute force over the blocks they cover.
#include "common/error.h"
#include "layout_test_util.h"
#include "sparsity/layout_downsample.h"

#include <gtest/gtest.h>

using spw::BlockSource;
using spw::BlockWindow;
using spw::Layout;
using spw::SparsityMode;
using spw::test::configFor;

namespace {

// A one-head layout of `n` blocks with the given blocks set, each with its source.
Layout handLayout(int n, const std::vector<std::tuple<int, int, BlockSource>>& blocks)
{
    Layout layout;
    layout.numHeads = 1;
    layout.numBlocks = n;
    layout.block = 16;
    layout.mask.assign(std::size_t(n) * n, 0);
    layout.source.assign(std::size_t(n) * n, BlockSource::None);
    for (const auto& [row, col, source] : blocks) {
        layout.mask[layout.index(0, row, col)] = 1;
        layout.source[layout.index(0, row, col)] = source;
    }
    return layout;
}

} // namespace

TEST(LayoutDownsample, FitsUnchangedWhenSmallEnough)
{
    const Layout layout = spw::makeLayout(configFor(SparsityMode::BSLongformer), 1024, 2);
    const auto pooled = spw::downsampleMax(layout, 1, spw::wholeLayout(layout), 64);
    EXPECT_EQ(pooled.blocksPerCell, 1);
    ASSERT_EQ(pooled.rows, 64);
    ASSERT_EQ(pooled.cols, 64);
    for (int row = 0; row < 64; ++row)
        for (int col = 0; col < 64; ++col)
            ASSERT_EQ(pooled.at(row, col), layout.source[layout.index(1, row, col)]) << row << "," << col;
}

TEST(LayoutDownsample, HandLayoutKeepsLoneBlocksAndPrefersGlobal)
{
    // 10 blocks into at most 4 cells: 3 blocks per cell, 4 cells (the last covers block 9 alone).
    const Layout layout = handLayout(10,
        { { 0, 0, BlockSource::Local }, { 1, 1, BlockSource::Local }, { 1, 2, BlockSource::Global },
            { 7, 4, BlockSource::Random }, { 9, 9, BlockSource::Local } });
    const auto pooled = spw::downsampleMax(layout, 0, spw::wholeLayout(layout), 4);
    EXPECT_EQ(pooled.blocksPerCell, 3);
    ASSERT_EQ(pooled.rows, 4);
    ASSERT_EQ(pooled.cols, 4);
    const std::vector<std::vector<BlockSource>> expected = {
        { BlockSource::Global, BlockSource::None, BlockSource::None, BlockSource::None },
        { BlockSource::None, BlockSource::None, BlockSource::None, BlockSource::None },
        { BlockSource::None, BlockSource::Random, BlockSource::None, BlockSource::None },
        { BlockSource::None, BlockSource::None, BlockSource::None, BlockSource::Local },
    };
    for (int row = 0; row < 4; ++row)
        for (int col = 0; col < 4; ++col)
            EXPECT_EQ(pooled.at(row, col), expected[row][col]) << row << "," << col;
}

TEST(LayoutDownsample, GlobalRowAndColumnSurviveAt65536Tokens)
{
    // bslongformer's global block 0 is one row and one column of 4096 blocks: drawn in 500 cells, every cell of
    // the first row and column must still say global (sampling every 9th block would keep only the corner).
    const Layout layout = spw::makeLayout(configFor(SparsityMode::BSLongformer), 65536, 1);
    ASSERT_EQ(layout.numBlocks, 4096);
    const auto pooled = spw::downsampleMax(layout, 0, spw::wholeLayout(layout), 500);
    EXPECT_EQ(pooled.blocksPerCell, 9);
    ASSERT_EQ(pooled.rows, 456);
    for (int i = 0; i < pooled.rows; ++i) {
        ASSERT_EQ(pooled.at(0, i), BlockSource::Global) << "column cell " << i;
        ASSERT_EQ(pooled.at(i, 0), BlockSource::Global) << "row cell " << i;
    }
    // Away from the globals and the diagonal band nothing is attended.
    EXPECT_EQ(pooled.at(200, 100), BlockSource::None);
    EXPECT_EQ(pooled.at(200, 200), BlockSource::Local);
}

TEST(LayoutDownsample, WindowMatchesBruteForceOverEachCell)
{
    auto config = configFor(SparsityMode::BigBird);
    config.numRandomBlocks = 2;
    const Layout layout = spw::makeLayout(config, 4096, 1, 3);
    const BlockWindow window { 37, 11, 150, 201 };
    const auto pooled = spw::downsampleMax(layout, 0, window, 40);
    const int per = pooled.blocksPerCell;
    EXPECT_EQ(per, 6); // ceil(201 / 40)
    EXPECT_EQ(pooled.window, window);
    for (int cellRow = 0; cellRow < pooled.rows; ++cellRow)
        for (int cellCol = 0; cellCol < pooled.cols; ++cellCol) {
            bool anyKept = false;
            bool anyGlobal = false;
            bool anyRandom = false;
            for (int r = cellRow * per; r < std::min(window.rows, (cellRow + 1) * per); ++r)
                for (int c = cellCol * per; c < std::min(window.cols, (cellCol + 1) * per); ++c) {
                    const auto i = layout.index(0, window.firstRow + r, window.firstCol + c);
                    anyKept |= layout.mask[i] != 0;
                    anyGlobal |= layout.source[i] == BlockSource::Global;
                    anyRandom |= layout.source[i] == BlockSource::Random;
                }
            const BlockSource shown = pooled.at(cellRow, cellCol);
            ASSERT_EQ(shown != BlockSource::None, anyKept) << cellRow << "," << cellCol;
            if (anyGlobal)
                ASSERT_EQ(shown, BlockSource::Global) << cellRow << "," << cellCol;
            else if (anyRandom)
                ASSERT_EQ(shown, BlockSource::Random) << cellRow << "," << cellCol;
        }
}

TEST(LayoutDownsample, ClipsTheWindowAndRejectsOutsideOnes)
{
    const Layout layout = spw::makeLayout(configFor(SparsityMode::Local), 256, 1);
    const auto pooled = spw::downsampleMax(layout, 0, { 10, 12, 100, 100 }, 1000);
    EXPECT_EQ(pooled.window, (BlockWindow { 10, 12, 6, 4 }));
    EXPECT_THROW(spw::downsampleMax(layout, 0, { 16, 0, 4, 4 }, 10), spw::Error);
    EXPECT_THROW(spw::downsampleMax(layout, 1, spw::wholeLayout(layout), 10), spw::Error);
    EXPECT_THROW(spw::downsampleMax(layout, 0, spw::wholeLayout(layout), 0), spw::Error);
}
