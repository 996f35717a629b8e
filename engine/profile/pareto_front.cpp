#include "profile/pareto_front.h"

#include <algorithm>
#include <cmath>

namespace spw {

std::vector<std::size_t> paretoFront(const std::vector<TradeOffPoint>& points)
{
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < points.size(); ++i)
        if (!std::isnan(points[i].cost) && !std::isnan(points[i].benefit))
            order.push_back(i);
    // By cost, the larger benefit first among equal costs: a point is then dominated exactly when an earlier point
    // has a larger benefit, or an equal benefit at a lower cost.
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (points[a].cost != points[b].cost)
            return points[a].cost < points[b].cost;
        if (points[a].benefit != points[b].benefit)
            return points[a].benefit > points[b].benefit;
        return a < b;
    });
    std::vector<std::size_t> front;
    for (std::size_t i : order) {
        if (!front.empty()) {
            const TradeOffPoint& best = points[front.back()]; // the largest benefit so far, at the lowest cost
            if (best.benefit > points[i].benefit)
                continue;
            if (best.benefit == points[i].benefit && best.cost < points[i].cost)
                continue;
        }
        front.push_back(i);
    }
    return front;
}

} // namespace spw
