#include "model/self_attention.h"

#include "attention/block_sparse_attention.h"
#include "common/available_memory.h"
#include "common/error.h"

#include <torch/version.h>

#include <cmath>

// at::scaled_dot_product_attention exists from LibTorch 2.0 (its scale argument from 2.1).
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
#define SPW_HAVE_SDPA 1
#else
#define SPW_HAVE_SDPA 0
#endif

namespace spw {
namespace {

// Dense attention on CUDA goes through the fused kernels; on CPU the model keeps transformers' exact eager math.
bool useFusedDenseAttention(const at::Tensor& query)
{
    return SPW_HAVE_SDPA && query.is_cuda();
}

} // namespace

void checkDenseCpuAttentionFits(std::int64_t batch, std::int64_t heads, std::int64_t length, std::size_t elementBytes)
{
    const double needed = 2.0 * double(batch) * double(heads) * double(length) * double(length) * double(elementBytes);
    requireMemory(needed,
        fmt::format("dense attention over {} tokens ({}×{} scores on the CPU, batch {}, {} heads)", length, length,
            length, batch, heads),
        "use shorter inputs, a smaller batch or block-sparse attention");
}

at::Tensor SelfAttention::forward(const at::Tensor& hidden, const std::optional<at::Tensor>& extendedMask) const
{
    const std::int64_t batch = hidden.size(0);
    const std::int64_t length = hidden.size(1);
    const std::int64_t headDim = hidden.size(2) / numHeads;
    // [B, H, L, D] views of the query, key and value projections. On a GPU one GEMM against the stacked weights reads
    // the hidden states once, and stacking 3·hidden² weights per call costs microseconds there; on the CPU the
    // stacking costs more than it saves (measured: docs/profile-results.md), so each projection runs on its own.
    at::Tensor q, k, v;
    if (hidden.is_cuda()) {
        const at::Tensor projected = at::linear(
            hidden, at::cat({ query.weight, key.weight, value.weight }), at::cat({ query.bias, key.bias, value.bias }));
        const at::Tensor parts = projected.view({ batch, length, 3, numHeads, headDim });
        q = parts.select(2, 0).transpose(1, 2);
        k = parts.select(2, 1).transpose(1, 2);
        v = parts.select(2, 2).transpose(1, 2);
    } else {
        auto heads = [&](const at::Tensor& x) { return x.view({ batch, length, numHeads, headDim }).transpose(1, 2); };
        q = heads(query(hidden));
        k = heads(key(hidden));
        v = heads(value(hidden));
    }
    const double scale = 1.0 / std::sqrt(double(headDim));

    at::Tensor context;
    if (m_sparse) {
        const int block = m_sparse->layout.block;
        if (length % block != 0)
            fail("sparse attention: input length {} is not a multiple of the block {} (pad the input to the block)",
                length, block);
        if (length > m_sparse->layout.seqLen())
            fail("sparse attention: input length {} exceeds the layout's {} tokens", length, m_sparse->layout.seqLen());
        AttentionMasks masks;
        if (extendedMask)
            masks.keyPadding = extendedMask->reshape({ batch, length });
        masks.keyPaddingMode = MaskMode::Add;
        const std::shared_ptr<const Layout> corner = m_sparse->cornerFor(int(length / block));
        // q, k and v stay head-transposed views of the projections: each backend copies only what it must (the
        // CUDA kernels read strided rows, so the GPU path copies nothing).
        context = blockSparseAttention(q, k, v, *corner, masks, scale);
    } else if (useFusedDenseAttention(q)) {
#if SPW_HAVE_SDPA
        // LibTorch's fused attention (cuDNN / flash / memory-efficient, whichever fits): the dense baseline a
        // user of PyTorch gets on a GPU, without materialising the L×L scores. The additive mask broadcasts.
        context = at::scaled_dot_product_attention(q, k, v, extendedMask, 0.0, false, scale);
#endif
    } else {
        if (q.is_cpu())
            checkDenseCpuAttentionFits(batch, numHeads, length, q.element_size());
        // Scaled and masked in place: each L×L intermediate is a fresh allocation the size of the scores, which the
        // allocator maps and the kernel page-faults in anew on every call.
        at::Tensor scores = at::matmul(q, k.transpose(-1, -2));
        scores.mul_(scale);
        if (extendedMask)
            scores.add_(*extendedMask);
        // Softmax in float32 even for half inputs, then back: the probabilities are the precision-sensitive part.
        at::Tensor probabilities = at::softmax(scores, -1, at::kFloat).to(v.scalar_type());
        context = at::matmul(probabilities, v);
    }
    return context.transpose(1, 2).contiguous().view({ batch, length, numHeads * headDim });
}

} // namespace spw
