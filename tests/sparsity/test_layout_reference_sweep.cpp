// Sweeps of deterministic configurations (every mode, head count, attention kind, many lengths) compared with the
// literal transcription of DeepSpeed's make_layout in deepspeed_reference.cpp: the same 0/1 layout where DeepSpeed
// makes one, an spw::Error where DeepSpeed raises.
#include "common/error.h"
#include "deepspeed_reference.h"
#include "sparsity/layout.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>

using spw::AttentionDirection;
using spw::SparsityConfig;
using spw::SparsityMode;
using spw::test::DeepSpeedParams;

namespace {

SparsityConfig toConfig(const DeepSpeedParams& p)
{
    SparsityConfig config = spw::defaultsFor(*spw::modeFromName(p.mode));
    config.numHeads = p.numHeads;
    config.block = p.block;
    config.differentLayoutPerHead = p.differentLayoutPerHead;
    config.numLocalBlocks = p.numLocalBlocks;
    config.numGlobalBlocks = p.numGlobalBlocks;
    config.attention
        = p.attention == "unidirectional" ? AttentionDirection::Unidirectional : AttentionDirection::Bidirectional;
    config.horizontalGlobalAttention = p.horizontalGlobalAttention;
    config.numDifferentGlobalPatterns = p.numDifferentGlobalPatterns;
    config.localWindowBlocks = p.localWindowBlocks;
    config.globalBlockIndices = p.globalBlockIndices;
    config.globalBlockEndIndices = p.globalBlockEndIndices;
    config.numSlidingWindowBlocks = p.numSlidingWindowBlocks;
    return config;
}

std::string describe(const DeepSpeedParams& p, int seqLen)
{
    return fmt::format("{} heads={} block={} dlph={} local={} global={} att={} horiz={} patterns={} windows=[{}] "
                       "gidx=[{}] gend={} sliding={} seq_len={}",
        p.mode, p.numHeads, p.block, p.differentLayoutPerHead, p.numLocalBlocks, p.numGlobalBlocks, p.attention,
        p.horizontalGlobalAttention, p.numDifferentGlobalPatterns, fmt::join(p.localWindowBlocks, ","),
        fmt::join(p.globalBlockIndices, ","),
        p.globalBlockEndIndices ? fmt::format("[{}]", fmt::join(*p.globalBlockEndIndices, ",")) : std::string("None"),
        p.numSlidingWindowBlocks, seqLen);
}

// Returns the number of cases where both made a layout (so that a sweep that only meets errors is caught).
int compareOverLengths(const DeepSpeedParams& p, int maxBlocks = 12)
{
    int layouts = 0;
    for (int nb = 1; nb <= maxBlocks; ++nb) {
        const int seqLen = nb * p.block;
        auto expected = spw::test::deepSpeedMakeLayout(p, seqLen);
        if (!expected) {
            EXPECT_THROW(spw::makeLayout(toConfig(p), seqLen, p.numHeads), spw::Error) << describe(p, seqLen);
            continue;
        }
        spw::Layout layout;
        try {
            layout = spw::makeLayout(toConfig(p), seqLen, p.numHeads);
        } catch (const spw::Error& e) {
            ADD_FAILURE() << describe(p, seqLen) << ": " << e.what();
            continue;
        }
        ++layouts;
        bool same = layout.numHeads == p.numHeads && layout.numBlocks == nb;
        for (int h = 0; same && h < p.numHeads; ++h)
            for (int r = 0; r < nb; ++r)
                for (int c = 0; c < nb; ++c)
                    same = same && layout.at(h, r, c) == ((*expected)[h][r][c] != 0);
        EXPECT_TRUE(same) << describe(p, seqLen);
    }
    return layouts;
}

void forEachCommon(const std::string& mode, const std::function<void(DeepSpeedParams&)>& body)
{
    for (int heads : { 1, 3 })
        for (const char* attention : { "bidirectional", "unidirectional" })
            for (bool dlph : { false, true }) {
                DeepSpeedParams p;
                p.mode = mode;
                p.numHeads = heads;
                p.block = 4;
                p.attention = attention;
                p.differentLayoutPerHead = dlph;
                body(p);
            }
}

} // namespace

TEST(LayoutReferenceSweep, Dense)
{
    int layouts = 0;
    forEachCommon("dense", [&](DeepSpeedParams& p) { layouts += compareOverLengths(p); });
    EXPECT_GT(layouts, 0);
}

TEST(LayoutReferenceSweep, Fixed)
{
    int layouts = 0;
    forEachCommon("fixed", [&](DeepSpeedParams& p) {
        for (int local = 1; local <= 6; ++local)
            for (int global = 1; global <= 3; ++global)
                for (int patterns = 1; patterns <= 4; ++patterns)
                    for (bool horizontal : { false, true }) {
                        DeepSpeedParams q = p;
                        q.numLocalBlocks = local;
                        q.numGlobalBlocks = global;
                        q.numDifferentGlobalPatterns = patterns;
                        q.horizontalGlobalAttention = horizontal;
                        layouts += compareOverLengths(q);
                    }
    });
    EXPECT_GT(layouts, 1000);
}

TEST(LayoutReferenceSweep, Variable)
{
    const std::vector<std::vector<int>> windows { { 1 }, { 4 }, { 2, 3 }, { 3, 1, 2 }, { 5, 2 } };
    const std::vector<std::pair<std::vector<int>, std::optional<std::vector<int>>>> globals { { { 0 }, std::nullopt },
        { {}, std::nullopt }, { { 1, 6, 40 }, std::nullopt }, { { 0, 5 }, std::vector<int> { 2, 9 } },
        { { 3 }, std::vector<int> { 30 } }, { { 2, 7 }, std::vector<int> { 4 } }, { { 4 }, std::vector<int> { 4 } } };
    int layouts = 0;
    forEachCommon("variable", [&](DeepSpeedParams& p) {
        for (const auto& window : windows)
            for (const auto& [starts, ends] : globals)
                for (bool horizontal : { false, true }) {
                    DeepSpeedParams q = p;
                    q.localWindowBlocks = window;
                    q.globalBlockIndices = starts;
                    q.globalBlockEndIndices = ends;
                    q.horizontalGlobalAttention = horizontal;
                    layouts += compareOverLengths(q);
                }
    });
    EXPECT_GT(layouts, 1000);
}

TEST(LayoutReferenceSweep, BigBird)
{
    int layouts = 0;
    forEachCommon("bigbird", [&](DeepSpeedParams& p) {
        for (int sliding = 1; sliding <= 7; ++sliding)
            for (int global = 1; global <= 4; ++global) {
                DeepSpeedParams q = p;
                q.numSlidingWindowBlocks = sliding;
                q.numGlobalBlocks = global;
                layouts += compareOverLengths(q);
            }
    });
    EXPECT_GT(layouts, 500);
}

TEST(LayoutReferenceSweep, BSLongformer)
{
    const std::vector<std::pair<std::vector<int>, std::optional<std::vector<int>>>> globals { { { 0 }, std::nullopt },
        { {}, std::nullopt }, { { 2, 9, 50 }, std::nullopt }, { { 0, 5 }, std::vector<int> { 3, 7 } },
        { { 6 }, std::vector<int> { 99 } }, { { 1 }, std::vector<int> { 1 } }, { { 1, 2 }, std::vector<int> { 3 } } };
    int layouts = 0;
    forEachCommon("bslongformer", [&](DeepSpeedParams& p) {
        for (int sliding = 1; sliding <= 7; ++sliding)
            for (const auto& [starts, ends] : globals) {
                DeepSpeedParams q = p;
                q.numSlidingWindowBlocks = sliding;
                q.globalBlockIndices = starts;
                q.globalBlockEndIndices = ends;
                layouts += compareOverLengths(q);
            }
    });
    EXPECT_GT(layouts, 500);
}

TEST(LayoutReferenceSweep, Local)
{
    int layouts = 0;
    forEachCommon("local", [&](DeepSpeedParams& p) {
        for (int sliding = 1; sliding <= 7; ++sliding) {
            DeepSpeedParams q = p;
            q.numSlidingWindowBlocks = sliding;
            layouts += compareOverLengths(q);
        }
    });
    EXPECT_GT(layouts, 100);
}
