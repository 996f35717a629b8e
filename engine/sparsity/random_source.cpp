#include "sparsity/random_source.h"

#include <algorithm>

namespace spw {

std::uint64_t RandomSource::next()
{
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint64_t RandomSource::below(std::uint64_t bound)
{
    // 2^64 mod bound: draws below it would favour the small residues.
    const std::uint64_t threshold = (0 - bound) % bound;
    std::uint64_t x = next();
    while (x < threshold)
        x = next();
    return x % bound;
}

std::vector<int> RandomSource::sample(int population, int count)
{
    std::vector<int> chosen;
    chosen.reserve(std::size_t(std::max(count, 0)));
    for (int j = population - count; j < population; ++j) {
        int t = int(below(std::uint64_t(j) + 1));
        bool taken = std::find(chosen.begin(), chosen.end(), t) != chosen.end();
        chosen.push_back(taken ? j : t);
    }
    return chosen;
}

} // namespace spw
