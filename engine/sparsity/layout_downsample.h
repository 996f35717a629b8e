#pragma once
// A window of one head's layout reduced to a grid small enough to draw pixel for pixel. A 65,536-token layout of
// 16-token blocks is 4096² blocks, far more than a screen shows; sampling every n-th block would drop the one-block
// global rows and columns. Each cell therefore shows the strongest rule among the blocks it covers (max pooling),
// so a cell is blank only when every block under it is: no kept block is ever lost.
#include "sparsity/layout.h"

#include <vector>

namespace spw {

// A rectangle of blocks: rows [firstRow, firstRow + rows), columns [firstCol, firstCol + cols).
struct BlockWindow {
    int firstRow = 0;
    int firstCol = 0;
    int rows = 0;
    int cols = 0;

    bool operator==(const BlockWindow& other) const
    {
        return firstRow == other.firstRow && firstCol == other.firstCol && rows == other.rows && cols == other.cols;
    }
    bool operator!=(const BlockWindow& other) const { return !(*this == other); }
};

struct DownsampledLayout {
    BlockWindow window; // what the cells cover
    int blocksPerCell = 1; // the same along both axes, so that cells stay square
    int rows = 0; // cells
    int cols = 0;
    std::vector<BlockSource> cells; // [row][col]

    BlockSource at(int row, int col) const { return cells[std::size_t(row) * cols + col]; }
};

// The order in which rules win a cell: global, then random, local, dense, and none last. Global and random blocks
// are the thin ones (a row, a column, a scattered block), so they must stay visible over the broad local band.
int blockSourcePriority(BlockSource source);

// Cells of `blocksPerCell`² blocks, the smallest count that fits the window in `maxCells` cells along its longer
// side (1 when it already fits). The window is clipped to the layout; throws spw::Error naming the head or the
// window when they lie outside it, and when maxCells is not positive.
DownsampledLayout downsampleMax(const Layout& layout, int head, BlockWindow window, int maxCells);

// The whole of `head`.
inline BlockWindow wholeLayout(const Layout& layout)
{
    return { 0, 0, layout.numBlocks, layout.numBlocks };
}

} // namespace spw
