#pragma once
// Colour-map data for a window of one head of a layout, at most one cell per screen pixel: blocks are pooled with
// the engine's max rule (sparsity/layout_downsample.h), so that the 4096² blocks of a 65,536-token layout still
// show their one-block global rows. Each cell holds the category of the rule that set its blocks, so that the
// colours tell local, global and random blocks apart. Built off the GUI thread; QCPColorMapData is a plain value
// type, safe to fill on a worker and hand over without a copy.
#include "common/progress.h"
#include "sparsity/layout_downsample.h"

#include <QString>

#include <memory>

class QCPColorMapData;

namespace spw::ui {

// The cell values, in the colour scale's order.
enum class BlockCategory { None = 0, Local, Global, Random, Dense };
constexpr int kBlockCategoryCount = 5;

BlockCategory categoryOf(BlockSource source);
QString categoryName(BlockCategory category);

// The data in block coordinates: key = column, value = row, each cell centred on the blocks it covers. `maxCells`
// is the most cells along the window's longer side (the plot's size in pixels).
std::unique_ptr<QCPColorMapData> buildHeatmapData(
    const Layout& layout, int head, const BlockWindow& window, int maxCells, const ProgressCallback& progress);

} // namespace spw::ui
