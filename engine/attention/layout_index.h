#pragma once
// Index lists of a block-sparse layout, built once per attention call, so that the CPU path touches only the
// layout's nonzero blocks:
//   - heads with identical layouts form one group (they share every index list and are computed as one batch);
//   - inside a group, row blocks with the same number of nonzero column blocks form one bucket, so that a bucket
//     is a dense batch [rows, width] of column-block indices and its scores a dense [rows, block, width·block]
//     tensor. Rows with no nonzero block belong to no bucket.
#include "sparsity/layout.h"

#include <cstdint>
#include <vector>

namespace spw {

struct RowBucket {
    std::int64_t width = 0; // nonzero column blocks per row
    std::vector<std::int64_t> rows; // row-block indices
    std::vector<std::int64_t> columns; // [rows.size()][width] column-block indices, ascending per row
};

struct HeadGroup {
    std::vector<std::int64_t> heads; // ascending
    std::vector<RowBucket> buckets; // by ascending width
};

struct LayoutIndex {
    std::vector<HeadGroup> groups; // by first head
    std::int64_t nonzeroBlocksPerGroupHead = 0; // summed over groups (one head each), for cost estimates
};

LayoutIndex buildLayoutIndex(const Layout& layout);

} // namespace spw
