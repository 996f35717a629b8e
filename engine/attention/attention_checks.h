#pragma once
// Boundary checks shared by the CPU and CUDA attention paths: every mistake in the arguments of
// blockSparseAttention() becomes an spw::Error naming the tensor (or layout field) at fault.
#include "attention/block_sparse_attention.h"

namespace spw {

// Checks query/key/value, the layout and the masks against each other; returns the scale to use
// (1/sqrt(head_dim) when none is given).
double checkAttentionArguments(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks, std::optional<double> scale);

// Checks what blockSparseAttentionBackward() takes besides the forward's arguments (already checked): gradOutput
// and output like the query, logSumExp [batch, heads, seq_len] in the forward's statistics dtype.
void checkBackwardArguments(
    const at::Tensor& gradOutput, const at::Tensor& output, const at::Tensor& logSumExp, const at::Tensor& query);

} // namespace spw
