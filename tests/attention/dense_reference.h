#pragma once
// An independent dense reference for block-sparse attention, written from design.md §3 and DeepSpeed's
// SparseSelfAttention rules rather than from the engine's code: the full L × L scores, the layout expanded to a
// token mask (entries outside the layout set to -inf before the softmax), masks applied as DeepSpeed's softmax
// kernel does (add: added; mul: zero entries become -inf). Rows where every entry is -inf give NaN in a dense
// softmax; the engine's documented convention is 0 there (and zero gradients), and the reference follows it.
// Differentiable: gradients through it with autograd are the reference for the engine's backward.
#include "attention/block_sparse_attention.h"

#include <ATen/ATen.h>

namespace spw::test {

// [heads, seq_len, seq_len] bool: true where the layout's block is nonzero.
at::Tensor expandLayout(const Layout& layout);

// scale · Q Kᵀ with the masks applied and -inf outside the layout: [batch, heads, seq_len, seq_len].
at::Tensor denseMaskedScores(
    const at::Tensor& query, const at::Tensor& key, const Layout& layout, const AttentionMasks& masks, double scale);

at::Tensor denseReference(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value, const Layout& layout,
    const AttentionMasks& masks, double scale);

// softmax(scale · Q Kᵀ) V with no layout and no mask.
at::Tensor plainAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value, double scale);

// Layouts built by hand, independent of engine/sparsity.
Layout denseLayout(int heads, int numBlocks, int block);
Layout bandLayout(int heads, int numBlocks, int block, int halfWidth, bool globalFirstBlock);
Layout randomLayout(int heads, int numBlocks, int block, double density, unsigned seed); // differs per head

} // namespace spw::test
