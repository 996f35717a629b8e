#pragma once
// Extending a position-embedding table to a longer maximum length (DeepSpeed's
// SparseAttentionUtils.extend_position_embedding, with design.md §4's changes), by copy initialisation. The first
// `reservedRows` rows are never a token's position (none for BERT; rows 0..pad_token_id for RoBERTa, see
// reservedPositionRows in io/model_config.h); the P - reservedRows rows after them are the usable positions.
//   BERT:    table [P, hidden] → [N, hidden]; row i is original row i mod P. DeepSpeed keeps only whole copies
//            (P·floor(N/P) rows); we truncate the last copy so that the table has exactly N rows.
//   RoBERTa: the reserved rows R are kept as they were; the table becomes [N + R, hidden] and row R + i is original
//            row R + (i mod (P - R)). DeepSpeed (which assumes R = 2) leaves the rows past its last whole copy
//            uninitialised; we fill them with the truncated copy.
// N must exceed the current usable maximum P - R.
#include <ATen/ATen.h>

#include <cstdint>

namespace spw {

at::Tensor extendPositionTable(const at::Tensor& table, std::int64_t reservedRows, std::int64_t newMaxLength);

// The baseline copy initialisation is measured against (Longformer's "random" row): the same shape, the reserved and
// original rows kept, every new row drawn from N(0, std²) by a generator seeded with `seed`.
at::Tensor extendPositionTableRandomly(
    const at::Tensor& table, std::int64_t reservedRows, std::int64_t newMaxLength, double std, std::uint64_t seed);

} // namespace spw
