// Every mode against layouts written out explicitly. The expected matrices are what DeepSpeed's own make_layout
// (deepspeed/ops/sparse_attention/sparsity_config.py) returns for the same arguments; the comment above each says
// which DeepSpeed rule the case exercises.
#include "common/error.h"
#include "layout_test_util.h"
#include "sparsity/layout.h"

#include <gtest/gtest.h>

#include <cstdlib>

using spw::AttentionDirection;
using spw::SparsityMode;
using spw::test::configFor;
using spw::test::headRows;
using Rows = std::vector<std::string>;

TEST(LayoutModes, DenseIsAllOnesOnEveryHead)
{
    auto layout = spw::makeLayout(configFor(SparsityMode::Dense), 48, 2);
    ASSERT_EQ(layout.numHeads, 2);
    ASSERT_EQ(layout.numBlocks, 3);
    EXPECT_EQ(layout.seqLen(), 48);
    for (int head = 0; head < 2; ++head)
        EXPECT_EQ(headRows(layout, head), (Rows { "111", "111", "111" }));
}

// Windows of 4, the last block of each window global; the short last window (blocks 4-5) puts its global block at
// min(end + first_global, nb - num_global) = min(4 + 3, 5) = 5.
TEST(LayoutModes, FixedBidirectionalWithShortLastWindow)
{
    auto layout = spw::makeLayout(configFor(SparsityMode::Fixed), 96, 1);
    EXPECT_EQ(headRows(layout, 0), (Rows { "111101", "111101", "111101", "111101", "000111", "000111" }));
}

// Unidirectional: lower-triangular windows, global columns from the global block's own row down; the short last
// window's global block at min(8 + 3, 10 - 1) = 9.
TEST(LayoutModes, FixedUnidirectional)
{
    auto config = configFor(SparsityMode::Fixed);
    config.attention = AttentionDirection::Unidirectional;
    auto layout = spw::makeLayout(config, 160, 1);
    EXPECT_EQ(headRows(layout, 0),
        (Rows { "1000000000", "1100000000", "1110000000", "1111000000", "0001100000", "0001110000", "0001111000",
            "0001111100", "0001000110", "0001000111" }));
}

TEST(LayoutModes, FixedHorizontalGlobalRows)
{
    auto config = configFor(SparsityMode::Fixed);
    config.numGlobalBlocks = 2;
    config.horizontalGlobalAttention = true;
    auto layout = spw::makeLayout(config, 128, 1);
    EXPECT_EQ(headRows(layout, 0),
        (Rows { "11110011", "11110011", "11111111", "11111111", "00111111", "00111111", "11111111", "11111111" }));
}

// Head h takes global pattern h % 4: the 4th, 3rd, 2nd, 1st block of each window; head 4 wraps to head 0's.
TEST(LayoutModes, FixedDifferentGlobalPatternPerHead)
{
    auto config = configFor(SparsityMode::Fixed);
    config.differentLayoutPerHead = true;
    config.numDifferentGlobalPatterns = 4;
    auto layout = spw::makeLayout(config, 128, 5);
    EXPECT_EQ(headRows(layout, 0),
        (Rows { "11110001", "11110001", "11110001", "11110001", "00011111", "00011111", "00011111", "00011111" }));
    EXPECT_EQ(headRows(layout, 1),
        (Rows { "11110010", "11110010", "11110010", "11110010", "00101111", "00101111", "00101111", "00101111" }));
    EXPECT_EQ(headRows(layout, 2),
        (Rows { "11110100", "11110100", "11110100", "11110100", "01001111", "01001111", "01001111", "01001111" }));
    EXPECT_EQ(headRows(layout, 3),
        (Rows { "11111000", "11111000", "11111000", "11111000", "10001111", "10001111", "10001111", "10001111" }));
    EXPECT_EQ(headRows(layout, 4), headRows(layout, 0));
}

// Two patterns of two global blocks, unidirectional, 7 blocks: the short last window (4-6) of head 1 takes
// min(4 + 0, 5) = 4, of head 0 min(4 + 2, 5) = 5.
TEST(LayoutModes, FixedPatternsUnidirectionalShortWindow)
{
    auto config = configFor(SparsityMode::Fixed);
    config.differentLayoutPerHead = true;
    config.numGlobalBlocks = 2;
    config.numDifferentGlobalPatterns = 2;
    config.attention = AttentionDirection::Unidirectional;
    auto layout = spw::makeLayout(config, 112, 3);
    EXPECT_EQ(
        headRows(layout, 0), (Rows { "1000000", "1100000", "1111000", "1111000", "0011100", "0011111", "0011111" }));
    EXPECT_EQ(
        headRows(layout, 1), (Rows { "1100000", "1100000", "1110000", "1111000", "1100110", "1100110", "1100111" }));
    EXPECT_EQ(headRows(layout, 2), headRows(layout, 0));
}

TEST(LayoutModes, FixedSameLayoutOnEveryHeadUnlessAsked)
{
    auto layout = spw::makeLayout(configFor(SparsityMode::Fixed), 128, 3);
    EXPECT_EQ(headRows(layout, 1), headRows(layout, 0));
    EXPECT_EQ(headRows(layout, 2), headRows(layout, 0));
}

// Window sizes [2, 3], the last repeating (2-4, 5-7, 8-9); global block 1 as a column and, horizontal, a row.
TEST(LayoutModes, VariableWindowsLastSizeRepeatsAndHorizontalGlobal)
{
    auto config = configFor(SparsityMode::Variable);
    config.localWindowBlocks = { 2, 3 };
    config.globalBlockIndices = { 1 };
    config.horizontalGlobalAttention = true;
    auto layout = spw::makeLayout(config, 160, 1);
    EXPECT_EQ(headRows(layout, 0),
        (Rows { "1100000000", "1111111111", "0111100000", "0111100000", "0111100000", "0100011100", "0100011100",
            "0100011100", "0100000011", "0100000011" }));
}

// Global ranges [0,2), [4,5), [6,min(20,8)); unidirectional: each range's columns from its start row down (so the
// range's own later columns appear above the diagonal, as in DeepSpeed).
TEST(LayoutModes, VariableGlobalRangesUnidirectional)
{
    auto config = configFor(SparsityMode::Variable);
    config.localWindowBlocks = { 3 };
    config.globalBlockIndices = { 0, 4, 6 };
    config.globalBlockEndIndices = std::vector<int> { 2, 5, 20 };
    config.attention = AttentionDirection::Unidirectional;
    auto layout = spw::makeLayout(config, 128, 1);
    EXPECT_EQ(headRows(layout, 0),
        (Rows { "11000000", "11000000", "11100000", "11010000", "11011000", "11011100", "11001011", "11001011" }));
}

// An even window count: w = 4 // 2 = 2, so 5 blocks wide; two global rows and columns; then tril.
TEST(LayoutModes, BigBirdEvenWindowUnidirectional)
{
    auto config = configFor(SparsityMode::BigBird);
    config.numSlidingWindowBlocks = 4;
    config.numGlobalBlocks = 2;
    config.attention = AttentionDirection::Unidirectional;
    auto layout = spw::makeLayout(config, 128, 2);
    Rows expected { "10000000", "11000000", "11100000", "11110000", "11111000", "11011100", "11001110", "11000111" };
    EXPECT_EQ(headRows(layout, 0), expected);
    EXPECT_EQ(headRows(layout, 1), expected);
}

TEST(LayoutModes, BigBirdBidirectional)
{
    auto layout = spw::makeLayout(configFor(SparsityMode::BigBird), 96, 1);
    EXPECT_EQ(headRows(layout, 0), (Rows { "111111", "111000", "111100", "101110", "100111", "100011" }));
}

// Global indices past the end (30) are skipped.
TEST(LayoutModes, BSLongformerGlobalIndices)
{
    auto config = configFor(SparsityMode::BSLongformer);
    config.globalBlockIndices = { 0, 5, 30 };
    auto layout = spw::makeLayout(config, 112, 1);
    EXPECT_EQ(
        headRows(layout, 0), (Rows { "1111111", "1110010", "1111010", "1011110", "1001110", "1111111", "1000011" }));
}

TEST(LayoutModes, BSLongformerGlobalRangeUnidirectional)
{
    auto config = configFor(SparsityMode::BSLongformer);
    config.globalBlockIndices = { 2 };
    config.globalBlockEndIndices = std::vector<int> { 4 };
    config.attention = AttentionDirection::Unidirectional;
    auto layout = spw::makeLayout(config, 112, 1);
    EXPECT_EQ(
        headRows(layout, 0), (Rows { "1000000", "1100000", "1110000", "1111000", "0011100", "0011110", "0011011" }));
}

TEST(LayoutModes, LocalBidirectional)
{
    auto config = configFor(SparsityMode::Local);
    config.numSlidingWindowBlocks = 5;
    config.attention = AttentionDirection::Bidirectional;
    auto layout = spw::makeLayout(config, 112, 1);
    EXPECT_EQ(
        headRows(layout, 0), (Rows { "1110000", "1111000", "1111100", "0111110", "0011111", "0001111", "0000111" }));
}

TEST(LayoutModes, LocalDefaultsToUnidirectional)
{
    auto layout = spw::makeLayout(configFor(SparsityMode::Local), 96, 2);
    Rows expected { "100000", "110000", "011000", "001100", "000110", "000011" };
    EXPECT_EQ(headRows(layout, 0), expected);
    EXPECT_EQ(headRows(layout, 1), expected);
}

TEST(LayoutModes, HeadsFromTheConfigurationWhenNotPassed)
{
    auto config = configFor(SparsityMode::Dense);
    config.numHeads = 3;
    EXPECT_EQ(spw::makeLayout(config, 32).numHeads, 3);
    EXPECT_EQ(spw::makeLayout(config, 32, 5).numHeads, 5);
}

// The block that the later rule set keeps that rule as its source: global over local in fixed mode.
TEST(LayoutSources, LaterRuleWins)
{
    auto fixed = spw::makeLayout(configFor(SparsityMode::Fixed), 128, 1);
    EXPECT_EQ(fixed.source[fixed.index(0, 0, 0)], spw::BlockSource::Local);
    EXPECT_EQ(fixed.source[fixed.index(0, 0, 3)], spw::BlockSource::Global); // in the window, and global
    EXPECT_EQ(fixed.source[fixed.index(0, 0, 7)], spw::BlockSource::Global);
    EXPECT_EQ(fixed.source[fixed.index(0, 0, 5)], spw::BlockSource::None);

    auto dense = spw::makeLayout(configFor(SparsityMode::Dense), 32, 1);
    EXPECT_EQ(dense.source[dense.index(0, 1, 0)], spw::BlockSource::Dense);

    // Every random block that no window or global block covers is marked random, and unidirectional bigbird
    // clears what lies above the diagonal, source included.
    auto bigbird = configFor(SparsityMode::BigBird);
    bigbird.numRandomBlocks = 3;
    auto layout = spw::makeLayout(bigbird, 16 * 12, 1, 7);
    int randomBlocks = 0;
    for (int row = 0; row < 12; ++row)
        for (int col = 0; col < 12; ++col) {
            auto source = layout.source[layout.index(0, row, col)];
            EXPECT_EQ(source != spw::BlockSource::None, layout.at(0, row, col));
            bool windowOrGlobal = std::abs(row - col) <= 1 || row == 0 || col == 0;
            if (layout.at(0, row, col) && !windowOrGlobal) {
                EXPECT_EQ(source, spw::BlockSource::Random) << row << "," << col;
                ++randomBlocks;
            }
            if (windowOrGlobal)
                EXPECT_NE(source, spw::BlockSource::Random);
        }
    EXPECT_GT(randomBlocks, 0);
    bigbird.attention = AttentionDirection::Unidirectional;
    auto lower = spw::makeLayout(bigbird, 16 * 12, 1, 7);
    for (int row = 0; row < 12; ++row)
        for (int col = row + 1; col < 12; ++col) {
            EXPECT_FALSE(lower.at(0, row, col));
            EXPECT_EQ(lower.source[lower.index(0, row, col)], spw::BlockSource::None);
        }
    EXPECT_STREQ(spw::blockSourceName(spw::BlockSource::Global), "global");
}

TEST(LayoutModes, TopLeftCornerIsTheShorterLayout)
{
    auto config = configFor(SparsityMode::BSLongformer);
    config.globalBlockIndices = { 0, 5 };
    auto full = spw::makeLayout(config, 16 * 8, 2);
    auto corner = full.topLeft(4);
    EXPECT_EQ(corner.numBlocks, 4);
    EXPECT_EQ(corner.numHeads, 2);
    EXPECT_EQ(corner.block, 16);
    EXPECT_EQ(headRows(corner, 1), (Rows { "1111", "1110", "1111", "1011" }));
    EXPECT_EQ(corner.source[corner.index(1, 0, 3)], spw::BlockSource::Global);
    EXPECT_EQ(corner.source[corner.index(1, 2, 3)], spw::BlockSource::Local);
    EXPECT_THROW(full.topLeft(9), spw::Error);
    EXPECT_THROW(full.topLeft(0), spw::Error);
}
