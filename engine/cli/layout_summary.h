#pragma once
// A human-readable summary of a layout for terminals (`layout --summary`, the README's headless demo): the
// statistics and a character picture of one head, one character per block (downsampled when there are more blocks
// than columns to draw: a cell shows the strongest rule among the blocks it covers).
#include "cli/cli_layer.h"
#include "sparsity/layout.h"

#include <string>

namespace spw::cli {

std::string describeLayout(const Layout& layout, const SparsityConfig& config, int maxColumns = 64);

} // namespace spw::cli
