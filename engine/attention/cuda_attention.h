#pragma once
// The engine's glue to the CUDA kernels (kernels/): turns at::Tensor arguments into the kernels' plain parameter
// structs, with per-layout lookup tables built once and cached. Compiled only when LibTorch has CUDA
// (SPW_TORCH_HAS_CUDA); blockSparseAttention() calls it for CUDA tensors.
//
// Inputs: float16 or bfloat16 run as they are; float32/float64 are converted to float16 and the results converted
// back. Head dims 32, 64, 128; layout blocks 16, 32, 64, 128. A dense layout without masks runs through
// at::scaled_dot_product_attention (cuDNN is faster than these kernels on dense
// work) unless DenseRoute::Kernels is asked for; the forward with statistics always runs the kernels.
#include "attention/block_sparse_attention.h"

#include <memory>

namespace spw {

at::Tensor cudaBlockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks, double scale);

// The forward that also returns each row's log-sum-exp, what cudaBlockSparseAttentionBackward needs.
AttentionWithStats cudaBlockSparseAttentionWithStats(const at::Tensor& query, const at::Tensor& key,
    const at::Tensor& value, const Layout& layout, const AttentionMasks& masks, double scale);

// Gradients with respect to query, key and value (not the masks) from the gradient of the output and the forward's
// output and log-sum-exp (cudaBlockSparseAttentionWithStats on the same arguments). Returned in the inputs' dtype as
// contiguous [batch, heads, seq_len, head_dim] tensors. Bit-reproducible run to run (docs/kernel-notes.md).
AttentionGradients cudaBlockSparseAttentionBackward(const at::Tensor& gradOutput, const at::Tensor& query,
    const at::Tensor& key, const at::Tensor& value, const at::Tensor& output, const at::Tensor& logSumExp,
    const Layout& layout, const AttentionMasks& masks, double scale);

enum class DenseRoute { Sdpa, Kernels };

// A layout's lookup tables on one device for one head dim (opaque; see kernels/block_sparse_attention.h).
struct CudaLayoutTables;

// The tables for `layout`, from a cache keyed by the layout's content and the tile shape (built on first use).
std::shared_ptr<const CudaLayoutTables> cudaLayoutTables(const Layout& layout, int headDim, int deviceIndex);

// The same computation with tables prepared by cudaLayoutTables (no lookup per call: what benchmarks time).
at::Tensor cudaBlockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const CudaLayoutTables& tables, const AttentionMasks& masks, double scale, DenseRoute route);

} // namespace spw
