#pragma once
// Dense attention over the layout expanded to a token mask: the independent reference for the CUDA kernels.
#include "attention/block_sparse_attention.h"

#include <ATen/ATen.h>

#include <vector>

namespace spw::test {

// The layout expanded to tokens: [1, heads, seq_len, seq_len] bool, true where the query may attend the key.
at::Tensor tokenKeepMask(const Layout& layout, const at::Device& device);

// The masks in token form: `keep` [batch or 1, heads, L, L] (the layout and the "mul" masks), the "add" masks in
// `computeType` (key padding, then the attention mask: the order they are added to the scores), and `anyKept`
// [.., L, 1]: false for rows that attend nothing.
struct MaskTerms {
    at::Tensor keep;
    std::vector<at::Tensor> additive;
    at::Tensor anyKept;
};
MaskTerms maskTerms(
    const Layout& layout, const AttentionMasks& masks, at::ScalarType computeType, const at::Device& device);

// softmax(scale·QKᵀ + masks) V in `computeType` (matmul and softmax in that dtype, as plain framework attention
// does), over the keys the layout allows. A row whose every key is excluded gives zeros. Differentiable (finite
// gradients, zero for such rows).
at::Tensor denseReference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Layout& layout,
    const AttentionMasks& masks, double scale, at::ScalarType computeType);

// ‖out − ref‖ / ‖ref‖ in float64.
double relativeError(const at::Tensor& out, const at::Tensor& ref);

} // namespace spw::test
