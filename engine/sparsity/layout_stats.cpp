#include "sparsity/layout.h"

namespace spw {

const char* blockSourceName(BlockSource source)
{
    switch (source) {
    case BlockSource::None:
        return "none";
    case BlockSource::Dense:
        return "dense";
    case BlockSource::Local:
        return "local";
    case BlockSource::Global:
        return "global";
    case BlockSource::Random:
        return "random";
    }
    return "unknown";
}

LayoutStats computeStats(const Layout& layout)
{
    LayoutStats stats;
    const std::size_t headSize = std::size_t(layout.numBlocks) * std::size_t(layout.numBlocks);
    for (int head = 0; head < layout.numHeads; ++head) {
        HeadStats headStats;
        const auto begin = layout.mask.begin() + std::ptrdiff_t(headSize * head);
        for (auto it = begin; it != begin + std::ptrdiff_t(headSize); ++it)
            headStats.nonzeroBlocks += *it != 0;
        headStats.density = headSize ? double(headStats.nonzeroBlocks) / double(headSize) : 0.0;
        stats.nonzeroBlocks += headStats.nonzeroBlocks;
        stats.heads.push_back(headStats);
    }
    const double totalBlocks = double(headSize) * layout.numHeads;
    stats.density = totalBlocks > 0 ? double(stats.nonzeroBlocks) / totalBlocks : 0.0;
    // Both products (QKᵀ and PV) and the score matrix are computed block by block, so FLOPs and score memory scale
    // with the nonzero blocks exactly as the density does.
    stats.flopsRelativeToDense = stats.density;
    stats.scoreMemoryRelativeToDense = stats.density;
    stats.scoreElements = stats.nonzeroBlocks * std::int64_t(layout.block) * layout.block;
    return stats;
}

} // namespace spw
