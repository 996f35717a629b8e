// The Pareto front against brute force: random points on a small grid (so that costs, benefits and whole points
// repeat) and some NaNs; the front is every point no other point dominates, by increasing cost.
#include "profile/pareto_front.h"

#include "sparsity/random_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace spw {
namespace {

bool dominates(const TradeOffPoint& a, const TradeOffPoint& b)
{
    return a.cost <= b.cost && a.benefit >= b.benefit && (a.cost < b.cost || a.benefit > b.benefit);
}

bool hasNan(const TradeOffPoint& p)
{
    return std::isnan(p.cost) || std::isnan(p.benefit);
}

std::vector<std::size_t> bruteForceFront(const std::vector<TradeOffPoint>& points)
{
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (hasNan(points[i]))
            continue;
        bool dominated = false;
        for (std::size_t j = 0; j < points.size() && !dominated; ++j)
            dominated = j != i && !hasNan(points[j]) && dominates(points[j], points[i]);
        if (!dominated)
            front.push_back(i);
    }
    std::stable_sort(
        front.begin(), front.end(), [&](std::size_t a, std::size_t b) { return points[a].cost < points[b].cost; });
    return front;
}

TEST(ParetoFront, MatchesBruteForceOnRandomPoints)
{
    RandomSource random(2024);
    for (int round = 0; round < 2000; ++round) {
        const std::size_t count = random.below(25);
        const std::uint64_t grid = 1 + random.below(12); // a small grid makes ties common
        std::vector<TradeOffPoint> points;
        for (std::size_t i = 0; i < count; ++i) {
            TradeOffPoint p { double(random.below(grid)) - 3.0, double(random.below(grid)) * 0.25 };
            if (random.below(20) == 0)
                (random.below(2) ? p.cost : p.benefit) = std::nan("");
            points.push_back(p);
        }
        const std::vector<std::size_t> front = paretoFront(points);
        ASSERT_EQ(front, bruteForceFront(points)) << "round " << round;
        // A staircase: more cost buys more benefit.
        for (std::size_t k = 1; k < front.size(); ++k)
            ASSERT_LE(points[front[k - 1]].benefit, points[front[k]].benefit);
    }
}

TEST(ParetoFront, SpeedAgainstLossByNegating)
{
    // Speed-ups (higher better) and losses (lower better): dense (1×, 2.0), a fast lossy layout (4×, 2.6), a slower
    // and worse one (2×, 2.7), and one faster and better than that (3×, 2.3).
    const std::vector<std::pair<double, double>> speedLoss = { { 1.0, 2.0 }, { 4.0, 2.6 }, { 2.0, 2.7 }, { 3.0, 2.3 } };
    std::vector<TradeOffPoint> points;
    for (const auto& [speedup, loss] : speedLoss)
        points.push_back({ -speedup, -loss });
    EXPECT_EQ(paretoFront(points), (std::vector<std::size_t> { 1, 3, 0 }));
    EXPECT_TRUE(paretoFront({}).empty());
}

} // namespace
} // namespace spw
