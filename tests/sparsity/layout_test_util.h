#pragma once
// Small helpers for the sparsity tests: a head of a layout as strings of 0/1, one per block row.
#include "sparsity/layout.h"

#include <string>
#include <vector>

namespace spw::test {

inline std::vector<std::string> headRows(const Layout& layout, int head)
{
    std::vector<std::string> rows;
    for (int row = 0; row < layout.numBlocks; ++row) {
        std::string text;
        for (int col = 0; col < layout.numBlocks; ++col)
            text += layout.at(head, row, col) ? '1' : '0';
        rows.push_back(text);
    }
    return rows;
}

inline SparsityConfig configFor(SparsityMode mode, int block = 16)
{
    SparsityConfig config = defaultsFor(mode);
    config.block = block;
    return config;
}

} // namespace spw::test
