// Cutting masked documents into windows with the special tokens, and padding windows into batches.
#include "quality/evaluation_windows.h"

#include "common/error.h"

#include <gtest/gtest.h>

#include <numeric>

namespace spw {
namespace {

const SpecialTokenIds kBert { { 101 }, { 102 } };

MaskedDocument document(std::int64_t first, std::int64_t count, std::int64_t scoredEvery)
{
    MaskedDocument doc;
    for (std::int64_t i = 0; i < count; ++i) {
        doc.inputIds.push_back(first + i);
        doc.labels.push_back(i % scoredEvery == 0 ? 1000 + first + i : kNotScored);
    }
    return doc;
}

std::vector<std::int64_t> range(std::int64_t first, std::int64_t count)
{
    std::vector<std::int64_t> ids(std::size_t(count), 0);
    std::iota(ids.begin(), ids.end(), first);
    return ids;
}

TEST(EvaluationWindows, CutEachDocumentBetweenTheSpecialTokens)
{
    const std::vector<MaskedDocument> docs = { document(0, 10, 1), document(50, 3, 1) };
    const std::vector<EvaluationWindow> windows = makeWindows(docs, 6, kBert); // 4 text tokens a window
    ASSERT_EQ(windows.size(), 4u); // 4 + 4 + 2, then the second document alone
    const std::vector<std::vector<std::int64_t>> texts = { range(0, 4), range(4, 4), range(8, 2), range(50, 3) };
    for (std::size_t w = 0; w < windows.size(); ++w) {
        std::vector<std::int64_t> expected = { 101 };
        expected.insert(expected.end(), texts[w].begin(), texts[w].end());
        expected.push_back(102);
        EXPECT_EQ(windows[w].inputIds, expected) << w;
        ASSERT_EQ(windows[w].labels.size(), expected.size());
        EXPECT_EQ(windows[w].labels.front(), kNotScored);
        EXPECT_EQ(windows[w].labels.back(), kNotScored);
        for (std::size_t i = 1; i + 1 < expected.size(); ++i)
            EXPECT_EQ(windows[w].labels[i], 1000 + expected[i]);
    }
}

TEST(EvaluationWindows, LeaveOutWindowsWithoutScoredTokens)
{
    // Tokens 0 and 8 are scored: of the windows [0..3] [4..7] [8..9], the middle one scores nothing.
    const std::vector<EvaluationWindow> windows = makeWindows({ document(0, 10, 8) }, 6, kBert);
    ASSERT_EQ(windows.size(), 2u);
    EXPECT_EQ(windows[0].inputIds[1], 0);
    EXPECT_EQ(windows[1].inputIds[1], 8);
}

// Every length scores the same tokens with the same labels, in the same order.
TEST(EvaluationWindows, EveryLengthScoresTheSameTokens)
{
    const std::vector<MaskedDocument> docs = { document(0, 37, 3), document(100, 11, 2) };
    auto scored = [&](std::int64_t seqLen) {
        std::vector<std::int64_t> labels;
        for (const EvaluationWindow& window : makeWindows(docs, seqLen, kBert))
            for (std::int64_t label : window.labels)
                if (label != kNotScored)
                    labels.push_back(label);
        return labels;
    };
    const std::vector<std::int64_t> reference = scored(64);
    EXPECT_EQ(reference.size(), 13u + 6u);
    for (std::int64_t seqLen : { 3, 5, 8, 16, 40 })
        EXPECT_EQ(scored(seqLen), reference) << seqLen;
}

TEST(EvaluationWindows, NeedRoomForText)
{
    EXPECT_THROW(makeWindows({ document(0, 4, 1) }, 2, kBert), Error);
    EXPECT_NO_THROW(makeWindows({ document(0, 4, 1) }, 3, kBert));
}

TEST(EvaluationWindows, BatchesPadOnTheRight)
{
    const std::vector<EvaluationWindow> windows = makeWindows({ document(10, 6, 1) }, 6, kBert); // 4 + 2 tokens
    const EvaluationBatch batch = makeBatch(windows, 0, 2, 0);
    ASSERT_EQ(batch.inputs.inputIds.sizes().vec(), (std::vector<std::int64_t> { 2, 6 }));
    EXPECT_TRUE(
        batch.inputs.inputIds[1].equal(at::tensor(std::vector<std::int64_t> { 101, 14, 15, 102, 0, 0 }, at::kLong)));
    ASSERT_TRUE(batch.inputs.attentionMask.has_value());
    EXPECT_TRUE(batch.inputs.attentionMask->equal(
        at::tensor(std::vector<std::int64_t> { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, at::kLong).view({ 2, 6 })));
    EXPECT_TRUE(batch.labels[1].equal(at::tensor(
        std::vector<std::int64_t> { kNotScored, 1014, 1015, kNotScored, kNotScored, kNotScored }, at::kLong)));
    const EvaluationBatch second = makeBatch(windows, 1, 1, 0);
    EXPECT_EQ(second.inputs.inputIds.size(1), 4);
}

} // namespace
} // namespace spw
