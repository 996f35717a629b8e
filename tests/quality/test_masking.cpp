// BERT's 80/10/10 masking: its statistics over a long text, what it never touches, and that the choices belong to
// the text's tokens (same seed, same tokens; any split into documents or windows).
#include "quality/mlm_masking.h"

#include "common/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace spw {
namespace {

TokenizedText countingText(std::int64_t tokens, std::int64_t firstId, std::int64_t idRange)
{
    TokenizedText text;
    text.documents.emplace_back();
    for (std::int64_t i = 0; i < tokens; ++i)
        text.documents.back().push_back(firstId + i % idRange);
    text.tokenCount = tokens;
    return text;
}

MaskingOptions options(std::uint64_t seed)
{
    MaskingOptions masking;
    masking.probability = 0.15;
    masking.seed = seed;
    masking.maskTokenId = 3;
    masking.vocabSize = 1000;
    return masking;
}

TEST(MlmMasking, FollowsTheEightyTenTenRule)
{
    const std::int64_t n = 200000;
    const TokenizedText text = countingText(n, 10, 990);
    const std::vector<MaskedDocument> masked = maskText(text, options(7));
    ASSERT_EQ(masked.size(), 1u);
    const MaskedDocument& doc = masked[0];
    std::int64_t chosen = 0, toMask = 0, kept = 0, replaced = 0;
    double replacementSum = 0;
    std::int64_t lowest = 1000, highest = -1;
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t original = text.documents[0][std::size_t(i)];
        if (doc.labels[std::size_t(i)] == kNotScored) {
            ASSERT_EQ(doc.inputIds[std::size_t(i)], original) << "an unchosen token changed at " << i;
            continue;
        }
        ASSERT_EQ(doc.labels[std::size_t(i)], original);
        ++chosen;
        const std::int64_t input = doc.inputIds[std::size_t(i)];
        if (input == 3) {
            ++toMask;
        } else if (input == original) {
            ++kept;
        } else {
            ++replaced;
            replacementSum += double(input);
            lowest = std::min(lowest, input);
            highest = std::max(highest, input);
        }
    }
    // Five standard deviations of each binomial share.
    const double share = double(chosen) / double(n);
    EXPECT_NEAR(share, 0.15, 5 * std::sqrt(0.15 * 0.85 / double(n)));
    const double c = double(chosen);
    EXPECT_NEAR(double(toMask) / c, 0.8, 5 * std::sqrt(0.8 * 0.2 / c));
    // A random replacement equals the original one time in 1000: it then counts as kept.
    EXPECT_NEAR(double(kept) / c, 0.1 + 0.1 / 1000, 5 * std::sqrt(0.1 * 0.9 / c));
    EXPECT_NEAR(double(replaced) / c, 0.1 - 0.1 / 1000, 5 * std::sqrt(0.1 * 0.9 / c));
    // Replacements are uniform over the whole vocabulary [0, 1000).
    EXPECT_LT(lowest, 20);
    EXPECT_GT(highest, 980);
    EXPECT_NEAR(replacementSum / double(replaced), 499.5, 5 * 288.7 / std::sqrt(double(replaced)));
}

TEST(MlmMasking, NeverChoosesSpecialTokens)
{
    TokenizedText text = countingText(5000, 0, 10); // ids 0..9, each 500 times
    MaskingOptions masking = options(1);
    masking.probability = 0.5;
    masking.neverChosen = { 0, 3 };
    const MaskedDocument doc = maskText(text, masking)[0];
    std::int64_t chosen = 0;
    for (std::size_t i = 0; i < doc.labels.size(); ++i) {
        if (text.documents[0][i] == 0 || text.documents[0][i] == 3)
            EXPECT_EQ(doc.labels[i], kNotScored) << i;
        chosen += doc.labels[i] != kNotScored;
    }
    EXPECT_GT(chosen, 1500);
}

TEST(MlmMasking, TheSeedReproducesTheChoices)
{
    const TokenizedText text = countingText(3000, 10, 500);
    const auto first = maskText(text, options(11))[0];
    const auto again = maskText(text, options(11))[0];
    const auto other = maskText(text, options(12))[0];
    EXPECT_EQ(first.labels, again.labels);
    EXPECT_EQ(first.inputIds, again.inputIds);
    EXPECT_NE(first.labels, other.labels);
}

// The choices follow the text's tokens in order, not the documents: the same tokens split differently are masked the
// same way (windows, cut later from the documents, then see the same masked tokens at every length).
TEST(MlmMasking, ChoicesBelongToTheTokensNotToTheirGrouping)
{
    const TokenizedText whole = countingText(1000, 10, 500);
    TokenizedText split;
    split.documents = { { whole.documents[0].begin(), whole.documents[0].begin() + 300 },
        { whole.documents[0].begin() + 300, whole.documents[0].end() } };
    split.tokenCount = 1000;
    const auto a = maskText(whole, options(5));
    const auto b = maskText(split, options(5));
    ASSERT_EQ(b.size(), 2u);
    std::vector<std::int64_t> labels = b[0].labels;
    labels.insert(labels.end(), b[1].labels.begin(), b[1].labels.end());
    std::vector<std::int64_t> inputs = b[0].inputIds;
    inputs.insert(inputs.end(), b[1].inputIds.begin(), b[1].inputIds.end());
    EXPECT_EQ(labels, a[0].labels);
    EXPECT_EQ(inputs, a[0].inputIds);
}

TEST(MlmMasking, RejectsAProbabilityOutsideZeroToOne)
{
    const TokenizedText text = countingText(10, 10, 5);
    for (double p : { 0.0, -0.1, 1.5, std::nan("") }) {
        MaskingOptions masking = options(0);
        masking.probability = p;
        EXPECT_THROW(maskText(text, masking), Error) << p;
    }
}

} // namespace
} // namespace spw
