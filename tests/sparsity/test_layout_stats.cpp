#include "layout_test_util.h"
#include "sparsity/layout.h"

#include <gtest/gtest.h>

using spw::SparsityMode;
using spw::test::configFor;

TEST(LayoutStats, DenseIsOne)
{
    auto stats = spw::computeStats(spw::makeLayout(configFor(SparsityMode::Dense, 8), 64, 3));
    ASSERT_EQ(stats.heads.size(), 3u);
    EXPECT_EQ(stats.heads[1].nonzeroBlocks, 64);
    EXPECT_DOUBLE_EQ(stats.heads[1].density, 1.0);
    EXPECT_EQ(stats.nonzeroBlocks, 192);
    EXPECT_DOUBLE_EQ(stats.density, 1.0);
    EXPECT_DOUBLE_EQ(stats.flopsRelativeToDense, 1.0);
    EXPECT_DOUBLE_EQ(stats.scoreMemoryRelativeToDense, 1.0);
    EXPECT_EQ(stats.scoreElements, 3 * 64 * 64); // every score of a 64-token sequence, per head
}

// Fixed, 4 heads with 4 global patterns, 6 blocks: counted by hand from the layouts of test_layout_modes
// (head 0: 4x4 window + 2x2 window + global column 3 above the second window (2) + column 5 over the first (4)).
TEST(LayoutStats, PerHeadCountsAndTotals)
{
    auto config = configFor(SparsityMode::Fixed);
    auto layout = spw::makeLayout(config, 96, 2);
    auto stats = spw::computeStats(layout);
    ASSERT_EQ(stats.heads.size(), 2u);
    EXPECT_EQ(stats.heads[0].nonzeroBlocks, 16 + 4 + 2 + 4);
    EXPECT_DOUBLE_EQ(stats.heads[0].density, 26.0 / 36.0);
    EXPECT_EQ(stats.nonzeroBlocks, 52);
    EXPECT_DOUBLE_EQ(stats.density, 52.0 / 72.0);
    EXPECT_DOUBLE_EQ(stats.flopsRelativeToDense, 52.0 / 72.0);
    EXPECT_DOUBLE_EQ(stats.scoreMemoryRelativeToDense, 52.0 / 72.0);
    EXPECT_EQ(stats.scoreElements, 52 * 16 * 16);
}

TEST(LayoutStats, HeadsDifferWhenTheirLayoutsDo)
{
    auto config = configFor(SparsityMode::Local);
    config.numSlidingWindowBlocks = 3;
    auto stats = spw::computeStats(spw::makeLayout(config, 16 * 10, 1));
    EXPECT_EQ(stats.heads[0].nonzeroBlocks, 10 + 9); // diagonal and the one below it

    auto bigbird = configFor(SparsityMode::BigBird);
    bigbird.numRandomBlocks = 2;
    bigbird.differentLayoutPerHead = true;
    auto random = spw::computeStats(spw::makeLayout(bigbird, 16 * 16, 4, 3));
    std::int64_t sum = 0;
    for (const auto& head : random.heads)
        sum += head.nonzeroBlocks;
    EXPECT_EQ(sum, random.nonzeroBlocks);
}
