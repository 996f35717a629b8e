#include "sparsity/layout_downsample.h"

#include "common/error.h"

#include <algorithm>

namespace spw {

int blockSourcePriority(BlockSource source)
{
    switch (source) {
    case BlockSource::None:
        return 0;
    case BlockSource::Dense:
        return 1;
    case BlockSource::Local:
        return 2;
    case BlockSource::Random:
        return 3;
    case BlockSource::Global:
        return 4;
    }
    return 0;
}

DownsampledLayout downsampleMax(const Layout& layout, int head, BlockWindow window, int maxCells)
{
    if (head < 0 || head >= layout.numHeads)
        fail("heatmap head {} is outside the layout's {} heads", head, layout.numHeads);
    if (maxCells <= 0)
        fail("heatmap cells must be positive (got {})", maxCells);
    const int lastRow = std::min(window.firstRow + window.rows, layout.numBlocks);
    const int lastCol = std::min(window.firstCol + window.cols, layout.numBlocks);
    window.firstRow = std::max(0, window.firstRow);
    window.firstCol = std::max(0, window.firstCol);
    window.rows = lastRow - window.firstRow;
    window.cols = lastCol - window.firstCol;
    if (window.rows <= 0 || window.cols <= 0)
        fail("heatmap window (rows {}.., columns {}..) lies outside the layout's {} blocks", window.firstRow,
            window.firstCol, layout.numBlocks);

    DownsampledLayout result;
    result.window = window;
    const int longer = std::max(window.rows, window.cols);
    result.blocksPerCell = (longer + maxCells - 1) / maxCells;
    const int per = result.blocksPerCell;
    result.rows = (window.rows + per - 1) / per;
    result.cols = (window.cols + per - 1) / per;
    result.cells.assign(std::size_t(result.rows) * result.cols, BlockSource::None);
    for (int row = 0; row < window.rows; ++row) {
        const std::size_t rowStart = layout.index(head, window.firstRow + row, window.firstCol);
        BlockSource* cells = result.cells.data() + std::size_t(row / per) * result.cols;
        for (int col = 0; col < window.cols; ++col) {
            if (!layout.mask[rowStart + col])
                continue;
            BlockSource& cell = cells[col / per];
            const BlockSource source = layout.source[rowStart + col];
            if (blockSourcePriority(source) > blockSourcePriority(cell))
                cell = source;
        }
    }
    return result;
}

} // namespace spw
