#pragma once
// The seeded generator behind random blocks. It must give the same numbers on every machine and standard library,
// so it is SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014) with its own
// bounded draw and sampler instead of <random>'s distributions, whose algorithms the standard leaves open.
#include <cstdint>
#include <vector>

namespace spw {

class RandomSource {
public:
    explicit RandomSource(std::uint64_t seed)
        : m_state(seed)
    {
    }

    std::uint64_t next();
    // Uniform in [0, bound), bound > 0: rejection of the low values that would make `x % bound` uneven.
    std::uint64_t below(std::uint64_t bound);
    // `count` distinct values of [0, population), count <= population, by Floyd's algorithm (the order of the
    // result is part of the contract only through the set it holds).
    std::vector<int> sample(int population, int count);

private:
    std::uint64_t m_state;
};

} // namespace spw
