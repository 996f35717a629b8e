// Masked-LM loss and accuracy of the engine's model on chosen tokens, against the same numbers computed here from
// transformers' own logits (the golden fixtures of tests/fixtures/make_model_fixtures.py).
#include "quality/mlm_score.h"

#include "common/error.h"
#include "model/golden.h"
#include "profile/profile_model.h"
#include "quality/mlm_masking.h"
#include "sparsity/random_source.h"

#include <gtest/gtest.h>

#include <cmath>

namespace spw {
namespace {

struct Reference {
    std::int64_t tokens = 0;
    double loss = 0;
    double accuracy = 0;
};

// Cross-entropy and top-1 accuracy from logits [B, L, V], in double precision, one token at a time.
Reference referenceScore(const at::Tensor& logits, const at::Tensor& labels)
{
    const at::Tensor values = logits.to(at::kDouble).contiguous();
    Reference reference;
    double lossSum = 0;
    std::int64_t correct = 0;
    for (std::int64_t b = 0; b < labels.size(0); ++b) {
        for (std::int64_t t = 0; t < labels.size(1); ++t) {
            const std::int64_t label = labels[b][t].item<std::int64_t>();
            if (label == kNotScored)
                continue;
            const at::Tensor row = values[b][t];
            const double largest = row.max().item<double>();
            const double logSumExp = largest + std::log((row - largest).exp().sum().item<double>());
            lossSum += logSumExp - row[label].item<double>();
            correct += row.argmax().item<std::int64_t>() == label;
            ++reference.tokens;
        }
    }
    reference.loss = lossSum / double(reference.tokens);
    reference.accuracy = double(correct) / double(reference.tokens);
    return reference;
}

// Labels for about half of the real tokens: every other one the token transformers ranks first (so that accuracy is
// neither 0 nor 1), the rest random ids.
at::Tensor chosenLabels(const ModelInputs& inputs, const at::Tensor& logits, std::uint64_t seed)
{
    RandomSource random(seed);
    at::Tensor labels = at::full_like(inputs.inputIds, kNotScored);
    const at::Tensor best = logits.argmax(-1);
    bool first = true;
    for (std::int64_t b = 0; b < labels.size(0); ++b)
        for (std::int64_t t = 0; t < labels.size(1); ++t)
            if ((*inputs.attentionMask)[b][t].item<std::int64_t>() == 1 && random.below(2) == 0) {
                labels[b][t] = first ? best[b][t].item<std::int64_t>() : std::int64_t(random.below(99));
                first = !first;
            }
    return labels;
}

class MlmScoreAgainstTransformers : public ::testing::TestWithParam<const char*> { };

TEST_P(MlmScoreAgainstTransformers, LossAndAccuracyMatch)
{
    const std::string name = GetParam();
    const auto model = EncoderModel::load(test::modelFixture(name));
    const ModelInputs inputs = test::fixtureInputs(name);
    const at::Tensor logits = test::fixtureExpected(name).at("logits");
    const at::Tensor labels = chosenLabels(inputs, logits, 3);
    const Reference reference = referenceScore(logits, labels);
    ASSERT_GT(reference.tokens, 5);
    ASSERT_GT(reference.accuracy, 0.2);

    const auto encoder = bareEncoder(*model, {});
    MlmScore score;
    scoreMaskedTokens(*encoder, *model, inputs, labels, score);
    EXPECT_EQ(score.tokens(), reference.tokens);
    EXPECT_NEAR(score.loss(), reference.loss, 1e-4);
    EXPECT_NEAR(score.perplexity(), std::exp(reference.loss), 1e-4 * std::exp(reference.loss));
    EXPECT_DOUBLE_EQ(score.accuracy(), reference.accuracy);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, MlmScoreAgainstTransformers, ::testing::Values("bert_mlm", "roberta_mlm"));

// Sums do not depend on how the tokens are split into calls.
TEST(MlmScore, AccumulatesAcrossCalls)
{
    const at::Tensor logits = at::randn({ 10, 7 }, at::kDouble);
    const at::Tensor labels = at::randint(7, { 10 }, at::kLong);
    MlmScore whole, parts;
    whole.add(logits, labels);
    parts.add(logits.narrow(0, 0, 3), labels.narrow(0, 0, 3));
    parts.add(logits.narrow(0, 3, 7), labels.narrow(0, 3, 7));
    EXPECT_EQ(parts.tokens(), 10);
    EXPECT_NEAR(parts.loss(), whole.loss(), 1e-6);
    EXPECT_DOUBLE_EQ(parts.accuracy(), whole.accuracy());
    EXPECT_NEAR(whole.loss(), at::cross_entropy_loss(logits, labels).item<double>(), 1e-5);
}

TEST(MlmScore, NeedsAMaskedLmHead)
{
    const auto model = EncoderModel::load(test::modelFixture("roberta_cls"));
    EXPECT_THROW(model->maskedLmLogits(at::zeros({ 1, model->config().hiddenSize })), Error);
}

} // namespace
} // namespace spw
