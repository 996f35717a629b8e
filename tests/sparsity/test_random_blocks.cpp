// The seeded generator and the random blocks it gives: SplitMix64's published reference outputs, the bounded draw
// and sampler, determinism across calls, and a golden layout (computed by an independent Python transcription of
// SplitMix64 + Floyd's sampler) so that any change of generator is caught.
#include "layout_test_util.h"
#include "sparsity/layout.h"
#include "sparsity/random_source.h"

#include <gtest/gtest.h>

#include <set>

using spw::AttentionDirection;
using spw::SparsityMode;
using spw::test::configFor;
using spw::test::headRows;
using Rows = std::vector<std::string>;

namespace {

// Variable mode with windows of one block and no global blocks: the layout is the diagonal plus the random blocks.
spw::SparsityConfig randomOnly(int numRandomBlocks)
{
    auto config = configFor(SparsityMode::Variable);
    config.numRandomBlocks = numRandomBlocks;
    config.localWindowBlocks = { 1 };
    config.globalBlockIndices = {};
    config.differentLayoutPerHead = true;
    return config;
}

} // namespace

// The first outputs of Vigna's reference splitmix64.c seeded with 1234567.
TEST(RandomSource, MatchesSplitMix64Reference)
{
    spw::RandomSource random(1234567);
    EXPECT_EQ(random.next(), 6457827717110365317ull);
    EXPECT_EQ(random.next(), 3203168211198807973ull);
    EXPECT_EQ(random.next(), 9817491932198370423ull);
    EXPECT_EQ(random.next(), 4593380528125082431ull);
    EXPECT_EQ(random.next(), 16408922859458223821ull);
}

TEST(RandomSource, BoundedDrawsAndSamplesStayInRange)
{
    spw::RandomSource random(42);
    std::vector<int> counts(10, 0);
    for (int i = 0; i < 10000; ++i) {
        auto value = random.below(10);
        ASSERT_LT(value, 10u);
        ++counts[value];
    }
    for (int count : counts)
        EXPECT_GT(count, 800); // every value drawn, none starved (expected 1000 each)
    EXPECT_EQ(random.below(1), 0u);
    for (int trial = 0; trial < 200; ++trial) {
        auto picked = random.sample(9, 4);
        std::set<int> distinct(picked.begin(), picked.end());
        EXPECT_EQ(distinct.size(), 4u);
        EXPECT_GE(*distinct.begin(), 0);
        EXPECT_LT(*distinct.rbegin(), 9);
    }
    auto all = random.sample(5, 5);
    EXPECT_EQ(std::set<int>(all.begin(), all.end()), (std::set<int> { 0, 1, 2, 3, 4 }));
    EXPECT_TRUE(random.sample(5, 0).empty());
}

TEST(RandomBlocks, GoldenLayoutForSeed42)
{
    auto layout = spw::makeLayout(randomOnly(2), 8 * 16, 2, 42);
    EXPECT_EQ(headRows(layout, 0),
        (Rows { "10010100", "11001000", "00100011", "00111000", "00001011", "00000110", "01000011", "10100001" }));
    EXPECT_EQ(headRows(layout, 1),
        (Rows { "10010100", "11001000", "01100010", "01010100", "01011000", "01000101", "01010010", "10000011" }));

    auto config = randomOnly(2);
    config.attention = AttentionDirection::Unidirectional;
    auto causal = spw::makeLayout(config, 8 * 16, 2, 42);
    EXPECT_EQ(headRows(causal, 0),
        (Rows { "10000000", "11000000", "11100000", "11010000", "10001000", "00001100", "01001010", "00001001" }));
    EXPECT_EQ(headRows(causal, 1),
        (Rows { "10000000", "11000000", "11100000", "11010000", "01001000", "00110100", "01010010", "01010001" }));
}

TEST(RandomBlocks, SameSeedSameLayoutOtherSeedDiffers)
{
    for (auto mode : { SparsityMode::Variable, SparsityMode::BigBird }) {
        auto config = configFor(mode);
        config.numRandomBlocks = 3;
        config.differentLayoutPerHead = true;
        auto a = spw::makeLayout(config, 16 * 32, 4, 2024);
        auto b = spw::makeLayout(config, 16 * 32, 4, 2024);
        auto c = spw::makeLayout(config, 16 * 32, 4, 2025);
        EXPECT_EQ(a.mask, b.mask);
        EXPECT_EQ(a.source, b.source);
        EXPECT_NE(a.mask, c.mask);
        // Heads draw their own blocks when the layout differs per head...
        EXPECT_NE(headRows(a, 0), headRows(a, 1));
        // ...and copy head 0 otherwise.
        config.differentLayoutPerHead = false;
        auto shared = spw::makeLayout(config, 16 * 32, 4, 2024);
        for (int head = 1; head < 4; ++head)
            EXPECT_EQ(headRows(shared, head), headRows(shared, 0));
    }
}

// Each row holds num_random_blocks random columns besides its diagonal (local) block, which the draw may also
// have hit; unidirectional rows draw only from columns <= row, and take all of them when there are fewer.
TEST(RandomBlocks, CountsAndCausality)
{
    for (auto attention : { AttentionDirection::Bidirectional, AttentionDirection::Unidirectional }) {
        auto config = randomOnly(3);
        config.attention = attention;
        auto layout = spw::makeLayout(config, 16 * 20, 2, 9);
        for (int head = 0; head < 2; ++head)
            for (int row = 0; row < 20; ++row) {
                int ones = 0;
                for (int col = 0; col < 20; ++col) {
                    ones += layout.at(head, row, col);
                    if (attention == AttentionDirection::Unidirectional && col > row)
                        EXPECT_FALSE(layout.at(head, row, col)) << row << "," << col;
                }
                if (attention == AttentionDirection::Unidirectional && row < 3) {
                    EXPECT_EQ(ones, row + 1) << row;
                } else {
                    EXPECT_GE(ones, 3) << row;
                    EXPECT_LE(ones, 4) << row;
                }
            }
    }
}
