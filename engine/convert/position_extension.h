#pragma once
// Extending a position-embedding table to a longer maximum length (DeepSpeed's
// SparseAttentionUtils.extend_position_embedding, with design.md §4's changes), by copy initialisation:
//   BERT:    table [P, hidden] → [N, hidden]; row i is original row i mod P. DeepSpeed keeps only whole copies
//            (P·floor(N/P) rows); we truncate the last copy so that the table has exactly N rows.
//   RoBERTa: rows 0-1 are reserved (padding_idx 1) and kept; usable positions are P - 2. The table becomes
//            [N + 2, hidden]: rows 0-1 as they were, row 2 + i is original row 2 + (i mod (P - 2)). DeepSpeed leaves
//            the rows past its last whole copy uninitialised; we fill them with the truncated copy.
// N must exceed the current usable maximum (P for BERT, P - 2 for RoBERTa).
#include "model/model_family.h"

#include <ATen/ATen.h>

#include <cstdint>

namespace spw {

at::Tensor extendPositionTable(const at::Tensor& table, ModelFamily family, std::int64_t newMaxLength);

// The config's max_position_embeddings after extending to N positions: N (BERT) or N + 2 (RoBERTa).
std::int64_t extendedMaxPositionEmbeddings(ModelFamily family, std::int64_t newMaxLength);

} // namespace spw
