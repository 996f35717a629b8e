// The sweep's cost model and its progress: a forward's cost counted by hand from the model's shapes, and a sweep
// whose progress is the share of that cost done, not of the results.
#include "profile/profiler.h"
#include "profile/sweep_cost.h"
#include "profile_test_support.h"

#include <gtest/gtest.h>

namespace spw {
namespace {

ModelConfig shape(std::int64_t hidden, std::int64_t intermediate)
{
    ModelConfig config;
    config.hiddenSize = hidden;
    config.intermediateSize = intermediate;
    return config;
}

TEST(SweepCost, ForwardCostCountedByHand)
{
    // Hidden 32, intermediate 64, 64 tokens, batch 2, half the scores: 2 · (4·64·32² + 2·64·32·64 + 2·64²·32·0.5)
    // = 2 · (262144 + 262144 + 131072).
    EXPECT_DOUBLE_EQ(forwardCost(shape(32, 64), 64, 2, 0.5), 1310720.0);
    // BERT-base: 16× the tokens cost about 29× the work (the projections alone would give 16×; attention is
    // quadratic): 4096 · (4·768² + 2·768·3072 + 2·4096·768) over 256 · (4·768² + 2·768·3072 + 2·256·768).
    const ModelConfig base = shape(768, 3072);
    EXPECT_NEAR(forwardCost(base, 4096, 1, 1.0) / forwardCost(base, 256, 1, 1.0), 28.63, 0.01);
    // A sparser layout costs less at the same length, and never less than the projections.
    EXPECT_LT(forwardCost(base, 4096, 1, 0.1), forwardCost(base, 4096, 1, 1.0));
    EXPECT_GT(forwardCost(base, 4096, 1, 0.0), 0.0);
}

TEST(SweepCost, SecondsLeftFollowTheRate)
{
    EXPECT_FALSE(estimateSecondsLeft(10.0, 0.005));
    EXPECT_FALSE(estimateSecondsLeft(0.5, 0.5));
    EXPECT_DOUBLE_EQ(*estimateSecondsLeft(30.0, 0.25), 90.0);
    EXPECT_DOUBLE_EQ(*estimateSecondsLeft(30.0, 1.0), 0.0);
}

TEST(SweepCost, SweepProgressIsTheShareOfExpectedWork)
{
    auto model = test::tinyEncoder();
    const ProfileSettings settings = test::smallSweep();
    std::vector<float> fractions;
    const auto points = runProfileSweep(*model, settings, nullptr, {}, [&](float f) {
        fractions.push_back(f);
        return true;
    });
    ASSERT_EQ(points.size(), 8u);
    ASSERT_EQ(fractions.size(), 4u * 3u * 3u + 1u);
    const ModelConfig& config = model->config();
    // Per (length, batch): dense once, then each layout at its own density; 3 forwards each.
    auto pairCost = [&](std::size_t firstPoint) {
        const ProfilePoint& p = points[firstPoint];
        double cost = forwardCost(config, p.seqLen, p.batch, 1.0);
        for (std::size_t l = 0; l < 2; ++l)
            cost += forwardCost(config, points[firstPoint + l].paddedLength, p.batch, points[firstPoint + l].density);
        return 3 * cost;
    };
    const double shortRuns = pairCost(0) + pairCost(2);
    const double total = shortRuns + pairCost(4) + pairCost(6);
    // Before the first 128-token forward (after 2 pairs × 3 runs × 3 forwards) the 64-token work is done: about a
    // quarter of the whole, where counting results would say half.
    EXPECT_NEAR(fractions[18], shortRuns / total, 1e-5);
    EXPECT_LT(fractions[18], 0.4f);
    EXPECT_FLOAT_EQ(fractions.back(), 1.0f);
    for (std::size_t i = 1; i < fractions.size(); ++i)
        EXPECT_GE(fractions[i], fractions[i - 1]);
}

} // namespace
} // namespace spw
