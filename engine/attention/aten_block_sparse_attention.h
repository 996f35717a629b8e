#pragma once
// The engine's ATen path of block-sparse attention, forward and backward: CPU tensors, and CUDA tensors of head dims
// the kernels do not take (the general path). Only ATen ops on the inputs' device, gathering per row block just
// the key/value blocks its layout row names (row_gather.h), so that time and memory follow the number of nonzero
// blocks. float32 and float64 are computed in their own precision, float16 and bfloat16 in float32.
#include "attention/block_sparse_attention.h"

namespace spw {

// Arguments already checked (checkAttentionArguments); the log-sum-exp is float64 for float64 inputs, else float32.
AttentionWithStats atenBlockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks, double scale);

// Arguments already checked (checkAttentionArguments, checkBackwardArguments). Each step holds its rows' complete
// scores, so the backward recomputes each row's softmax exactly as the forward did rather than from the saved
// log-sum-exp: a row whose every score sits at the dtype's minimum (HuggingFace's padding mask over a whole layout
// row) has a log-sum-exp that cannot carry its log(count) term, and exp(score - logSumExp) would be count times
// too large there.
AttentionGradients atenBlockSparseAttentionBackward(const at::Tensor& gradOutput, const at::Tensor& query,
    const at::Tensor& key, const at::Tensor& value, const Layout& layout, const AttentionMasks& masks, double scale);

} // namespace spw
