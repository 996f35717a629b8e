#include "attention/block_sparse_attention.h"

#include "attention/aten_block_sparse_attention.h"
#include "attention/attention_checks.h"

#ifdef SPW_TORCH_HAS_CUDA
#include "attention/cuda_attention.h"
#include "kernels/block_sparse_attention.h"
#endif

namespace spw {

#ifdef SPW_TORCH_HAS_CUDA
namespace {

// CUDA tensors of the head dims the kernels were built for go to the kernels; everything else (CPU tensors, other
// head dims on CUDA, other devices) runs the ATen path. Arguments already checked.
bool runsOnKernels(const at::Tensor& query)
{
    return query.is_cuda() && kernels::headDimSupported(int(query.size(3)));
}

} // namespace
#endif

at::Tensor blockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks, std::optional<double> scale)
{
    const double resolvedScale = checkAttentionArguments(query, key, value, layout, masks, scale);
#ifdef SPW_TORCH_HAS_CUDA
    if (runsOnKernels(query))
        return cudaBlockSparseAttention(query, key, value, layout, masks, resolvedScale);
#endif
    return atenBlockSparseAttention(query, key, value, layout, masks, resolvedScale).output;
}

AttentionWithStats blockSparseAttentionWithStats(const at::Tensor& query, const at::Tensor& key,
    const at::Tensor& value, const Layout& layout, const AttentionMasks& masks, std::optional<double> scale)
{
    const double resolvedScale = checkAttentionArguments(query, key, value, layout, masks, scale);
#ifdef SPW_TORCH_HAS_CUDA
    if (runsOnKernels(query))
        return cudaBlockSparseAttentionWithStats(query, key, value, layout, masks, resolvedScale);
#endif
    return atenBlockSparseAttention(query, key, value, layout, masks, resolvedScale);
}

AttentionGradients blockSparseAttentionBackward(const at::Tensor& gradOutput, const at::Tensor& query,
    const at::Tensor& key, const at::Tensor& value, const at::Tensor& output, const at::Tensor& logSumExp,
    const Layout& layout, const AttentionMasks& masks, std::optional<double> scale)
{
    const double resolvedScale = checkAttentionArguments(query, key, value, layout, masks, scale);
    checkBackwardArguments(gradOutput, output, logSumExp, query);
#ifdef SPW_TORCH_HAS_CUDA
    if (runsOnKernels(query))
        return cudaBlockSparseAttentionBackward(
            gradOutput, query, key, value, output, logSumExp, layout, masks, resolvedScale);
#endif
    return atenBlockSparseAttentionBackward(gradOutput, query, key, value, layout, masks, resolvedScale);
}

} // namespace spw
