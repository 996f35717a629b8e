// Output drift between dense and sparse attention, checked against the model run directly.
#include "model/sparse_attention_setting.h"
#include "profile/profile_inputs.h"
#include "profile/profiler.h"
#include "profile_test_support.h"

#include <gtest/gtest.h>

namespace spw {
namespace {

ProfileSettings driftSweep(std::int64_t length, double paddingFraction)
{
    ProfileSettings settings;
    settings.seqLens = {length};
    settings.batches = {2};
    settings.layouts = {test::denseLayout(), test::longformerLayout()};
    settings.warmup = 0;
    settings.repeats = 1;
    settings.paddingFraction = paddingFraction;
    settings.seed = 3;
    return settings;
}

TEST(ProfileDrift, DenseLayoutMatchesDenseAttention)
{
    auto model = test::tinyEncoder();
    const auto points = runProfileSweep(*model, driftSweep(256, 0.0));
    EXPECT_LT(points[0].maxAbsDiff, 1e-4);
    EXPECT_GT(points[0].cosine, 0.999999);
}

TEST(ProfileDrift, SparseLayoutDriftsAndMatchesADirectComparison)
{
    auto model = test::tinyEncoder();
    const ProfileSettings settings = driftSweep(256, 0.0);
    const auto points = runProfileSweep(*model, settings);
    // A random model's output is mostly its residual stream, so the drift is small; it must still stand well
    // clear of the dense layout's rounding noise.
    EXPECT_GT(points[1].maxAbsDiff, 1e-3);
    EXPECT_GT(points[1].maxAbsDiff, 100 * points[0].maxAbsDiff);
    EXPECT_LT(points[1].cosine, points[0].cosine);
    EXPECT_LT(points[1].cosine, 1.0 - 1e-7);

    // The same comparison made by hand: the model dense, then bslongformer on every layer.
    const ModelInputs inputs = makeProfileInputs(settings, model->config(), nullptr, 256, 2);
    const at::Tensor dense = model->forward(inputs).lastHiddenState;
    auto sparse = makeSparseAttentionSetting(settings.layouts[1].config, settings.seed, model->config());
    for (int i = 0; i < model->layerCount(); ++i)
        model->selfAttention(i).setSparseAttention(sparse);
    const at::Tensor sparseOut = model->forward(inputs).lastHiddenState;
    EXPECT_NEAR(points[1].maxAbsDiff, (dense - sparseOut).abs().max().item<double>(), 1e-5);
    const double cosine =
        at::cosine_similarity(dense.flatten().to(at::kDouble), sparseOut.flatten().to(at::kDouble), 0).item<double>();
    EXPECT_NEAR(points[1].cosine, cosine, 1e-9);
}

TEST(ProfileDrift, PaddedTokensAreMaskedAndLeftOutOfTheDrift)
{
    auto model = test::tinyEncoder();
    // A quarter of every row is padding, and 100 tokens are padded to 112 for the sparse run: with a dense layout
    // the real tokens must still match dense attention.
    const auto points = runProfileSweep(*model, driftSweep(100, 0.25));
    EXPECT_EQ(points[0].paddedLength, 112);
    EXPECT_LT(points[0].maxAbsDiff, 1e-4);
    EXPECT_GT(points[0].cosine, 0.999999);
    EXPECT_GT(points[1].maxAbsDiff, 1e-4);
}

} // namespace
} // namespace spw
