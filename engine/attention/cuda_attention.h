#pragma once
// The engine's glue to the CUDA kernels (kernels/): turns at::Tensor arguments into the kernels' plain parameter
// struct, with per-layout lookup tables built once and cached. Compiled only when LibTorch has CUDA
// (SPW_TORCH_HAS_CUDA); blockSparseAttention() calls it for CUDA tensors.
#include "attention/block_sparse_attention.h"

namespace spw {

at::Tensor cudaBlockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
                                    const Layout& layout, const AttentionMasks& masks, double scale);

} // namespace spw
