#include "attention/block_sparse_attention.h"

#include "attention/attention_checks.h"
#include "attention/aten_block_sparse_attention.h"
#include "common/error.h"

#ifdef SPW_TORCH_HAS_CUDA
#include "attention/cuda_attention.h"
#endif

namespace spw {

at::Tensor blockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks, std::optional<double> scale)
{
    const double resolvedScale = checkAttentionArguments(query, key, value, layout, masks, scale);
    if (query.is_cuda()) {
#ifdef SPW_TORCH_HAS_CUDA
        return cudaBlockSparseAttention(query, key, value, layout, masks, resolvedScale);
#else
        fail("attention: query is a CUDA tensor but the engine was built without CUDA support");
#endif
    }
    if (!query.is_cpu())
        fail("attention: query is on unsupported device {}", query.device().str());
    return atenBlockSparseAttention(query, key, value, layout, masks, resolvedScale);
}

} // namespace spw
