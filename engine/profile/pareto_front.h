#pragma once
// The Pareto front of a speed-versus-quality trade-off: the points no other point beats on both counts. The Profile
// page draws it through its speed-vs-quality plot, one point per layout (and dense attention) at one length.
//
// Each point has a cost, lower is better (a time), and a benefit, higher is better (an accuracy); a caller whose
// measure runs the other way negates it (a speed-up is a negative cost, a loss a negative benefit). A point is
// dominated when another is at least as good on both and better on one; equal points dominate neither, so both stay
// on the front. Points with a NaN are on no front (a measurement that did not happen).
#include <cstddef>
#include <vector>

namespace spw {

struct TradeOffPoint {
    double cost = 0;
    double benefit = 0;
};

// The indices of the non-dominated points, by increasing cost (ties: by index). Along the front the benefit then
// never decreases: the front is a staircase, each step buying more benefit for more cost. O(n log n).
std::vector<std::size_t> paretoFront(const std::vector<TradeOffPoint>& points);

} // namespace spw
