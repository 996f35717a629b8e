#pragma once
// Block-sparse self-attention (DeepSpeed's SparseSelfAttention semantics, design.md §3):
//   out = softmax(scale · Q Kᵀ + masks) V, restricted per (batch, head) to the layout's nonzero blocks: entries
//   outside the layout are excluded from the softmax, not zeroed after it.
// Q, K, V: [batch, heads, seq_len, head_dim], seq_len = layout.seqLen() (callers pad and slice the layout first).
// Masks follow DeepSpeed's softmax kernel: scores are scaled, then the key padding mask and the attention mask are
// added ("add") or turn their zero entries into -inf ("mul").
// Rows whose every column is excluded (an empty layout row block, mul-mode masks that exclude every column, or
// additive -inf on every column) give 0, where a dense softmax would give NaN. With HuggingFace's finite
// dtype-minimum padding mask on every column a row is not excluded: it gets what the dense masked softmax gives,
// the (near-)uniform average of the values over the row's layout columns.
// float32 and float64 are computed in their own precision; float16 and bfloat16 in float32, returned in the input's
// dtype. Every argument mistake (shapes, dtypes, seq_len != layout.seqLen(), heads != layout.numHeads, mask shapes)
// is an spw::Error naming the tensor.
// CUDA tensors whose head dim the kernels take go to the kernels (engine/attention/cuda_attention.h) when the engine
// is built with CUDA LibTorch; everything else (CPU tensors, other head dims on CUDA) runs the engine's ATen path
// (aten_block_sparse_attention.h), whose cost follows the number of nonzero blocks.
#include "sparsity/layout.h"

#include <ATen/ATen.h>

#include <optional>

namespace spw {

// "add": the mask is added to the scores (HuggingFace's extended mask: 0 keep, the dtype's minimum exclude).
// "mul": the mask multiplies: 0 excludes the entry, non-zero keeps it.
enum class MaskMode { Add, Mul };

struct AttentionMasks {
    std::optional<at::Tensor> keyPadding; // [batch, seq_len]
    MaskMode keyPaddingMode = MaskMode::Add;
    std::optional<at::Tensor> attention; // [seq_len, seq_len]
    MaskMode attentionMode = MaskMode::Mul;
};

at::Tensor blockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks = {}, std::optional<double> scale = std::nullopt);

// The forward that also returns each row's log-sum-exp of its scaled, masked scores over the row's layout columns,
// in natural-log units, [batch, heads, seq_len]: float64 for float64 inputs, else float32; -inf for a row that
// attends nothing (its output row is 0). What a backward needs besides the output.
struct AttentionWithStats {
    at::Tensor output;
    at::Tensor logSumExp;
};
AttentionWithStats blockSparseAttentionWithStats(const at::Tensor& query, const at::Tensor& key,
    const at::Tensor& value, const Layout& layout, const AttentionMasks& masks = {},
    std::optional<double> scale = std::nullopt);

// Gradients with respect to query, key and value (not the masks), given the forward's output and logSumExp, in the
// inputs' dtype. Rows that attend nothing give zero gradients. gradOutput and output have the query's shape, dtype
// and device; logSumExp is blockSparseAttentionWithStats's.
struct AttentionGradients {
    at::Tensor query, key, value;
};
AttentionGradients blockSparseAttentionBackward(const at::Tensor& gradOutput, const at::Tensor& query,
    const at::Tensor& key, const at::Tensor& value, const at::Tensor& output, const at::Tensor& logSumExp,
    const Layout& layout, const AttentionMasks& masks = {}, std::optional<double> scale = std::nullopt);

} // namespace spw
