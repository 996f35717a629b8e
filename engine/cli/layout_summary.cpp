#include "cli/layout_summary.h"

#include <fmt/format.h>

#include <algorithm>

namespace spw::cli {
namespace {

// Drawing priority when a cell covers several blocks: the rule that matters most to a reader wins.
int rank(BlockSource source)
{
    switch (source) {
    case BlockSource::None:
        return 0;
    case BlockSource::Random:
        return 1;
    case BlockSource::Local:
        return 2;
    case BlockSource::Global:
        return 3;
    case BlockSource::Dense:
        return 4;
    }
    return 0;
}

char glyph(BlockSource source)
{
    switch (source) {
    case BlockSource::None:
        return '.';
    case BlockSource::Random:
        return 'r';
    case BlockSource::Local:
        return 'o';
    case BlockSource::Global:
        return 'G';
    case BlockSource::Dense:
        return '#';
    }
    return '?';
}

} // namespace

std::string describeLayout(const Layout& layout, const SparsityConfig& config, int maxColumns)
{
    const LayoutStats stats = computeStats(layout);
    std::string text = fmt::format("{} layout: {} tokens, block {}, {} x {} blocks, {} head(s)\n",
        modeName(config.mode), layout.seqLen(), layout.block, layout.numBlocks, layout.numBlocks, layout.numHeads);
    text += fmt::format("nonzero blocks: {} of {} ({:.2f} %); attention FLOPs and score memory: {:.2f} % of dense\n",
        stats.nonzeroBlocks, std::int64_t(layout.numHeads) * layout.numBlocks * layout.numBlocks, 100.0 * stats.density,
        100.0 * stats.flopsRelativeToDense);
    if (layout.numBlocks == 0)
        return text;
    const int cells = std::min(layout.numBlocks, std::max(1, maxColumns));
    const double blocksPerCell = double(layout.numBlocks) / cells;
    text += fmt::format("head 0 ({} block(s) per character; G global, o local, r random, # dense, . none):\n",
        blocksPerCell == 1.0 ? std::string("1") : fmt::format("{:.1f}", blocksPerCell));
    for (int cellRow = 0; cellRow < cells; ++cellRow) {
        std::string line;
        const int rowBegin = int(cellRow * blocksPerCell);
        const int rowEnd = std::max(rowBegin + 1, int((cellRow + 1) * blocksPerCell));
        for (int cellCol = 0; cellCol < cells; ++cellCol) {
            const int colBegin = int(cellCol * blocksPerCell);
            const int colEnd = std::max(colBegin + 1, int((cellCol + 1) * blocksPerCell));
            BlockSource strongest = BlockSource::None;
            for (int row = rowBegin; row < rowEnd; ++row)
                for (int col = colBegin; col < colEnd; ++col) {
                    BlockSource source = layout.source[layout.index(0, row, col)];
                    if (rank(source) > rank(strongest))
                        strongest = source;
                }
            line += glyph(strongest);
        }
        text += "  " + line + '\n';
    }
    return text;
}

} // namespace spw::cli
