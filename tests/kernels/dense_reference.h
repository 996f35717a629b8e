#pragma once
// Dense attention over the layout expanded to a token mask: the independent reference for the CUDA kernels.
#include "attention/block_sparse_attention.h"

#include <ATen/ATen.h>

namespace spw::test {

// softmax(scale·QKᵀ + masks) V in `computeType` (matmul and softmax in that dtype, as plain framework attention
// does), over the keys the layout allows. A row whose every key is excluded gives zeros.
at::Tensor denseReference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Layout& layout,
                          const AttentionMasks& masks, double scale, at::ScalarType computeType);

// ‖out − ref‖ / ‖ref‖ in float64.
double relativeError(const at::Tensor& out, const at::Tensor& ref);

} // namespace spw::test
