#pragma once
// Colour-map data for one head of a layout, at block granularity (one cell per block: a 4096-token layout with
// 16-token blocks is 256² cells, where a token-level map would be 4096² doubles). Each cell holds the category of
// the rule that set the block, so that the colours tell local, global and random blocks apart. Built off the GUI
// thread; QCPColorMapData is a plain value type, safe to fill on a worker and hand over without a copy.
#include "common/progress.h"
#include "sparsity/layout.h"

#include <QString>

#include <memory>

class QCPColorMapData;

namespace spw::ui {

// The cell values, in the colour scale's order.
enum class BlockCategory { None = 0, Local, Global, Random, Dense };
constexpr int kBlockCategoryCount = 5;

BlockCategory categoryOf(BlockSource source);
QString categoryName(BlockCategory category);

// Cell (col, row) of the returned data is block (row, col) of `head`; keys and values run 0..numBlocks-1.
std::unique_ptr<QCPColorMapData> buildHeatmapData(const Layout& layout, int head, const ProgressCallback& progress);

} // namespace spw::ui
