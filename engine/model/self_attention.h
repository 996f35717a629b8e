#pragma once
// One layer's self-attention core (transformers' BertSelfAttention, eager, eval mode): query/key/value
// projections, softmax(Q Kᵀ / sqrt(head_dim) + extended mask) V, heads merged back. When given a sparse setting
// it computes the same thing restricted to the layout's blocks through spw::blockSparseAttention, with the
// key-padding mask passed as [B, L] additive values (MaskMode::Add), as DeepSpeed's BertSparseSelfAttention does.
#include "model/layers.h"
#include "model/sparse_attention_setting.h"

#include <ATen/ATen.h>

#include <memory>
#include <optional>

namespace spw {

// Dense attention on the CPU materialises the [batch, heads, length, length] scores (and a second tensor of that
// size while scaling and normalising them). Throws spw::Error naming the length, batch and heads when that would
// not fit in the memory available now, rather than letting the out-of-memory killer end the process.
void checkDenseCpuAttentionFits(std::int64_t batch, std::int64_t heads, std::int64_t length, std::size_t elementBytes);

class SelfAttention {
public:
    LinearLayer query;
    LinearLayer key;
    LinearLayer value;
    std::int64_t numHeads = 1;

    // hidden: [B, L, hidden]. extendedMask: [B, 1, 1, L] additive (0 keep, the dtype's minimum exclude), or none.
    // Sparse: L must be a multiple of the block and at most the layout's length; otherwise spw::Error (inputs are
    // padded to the block by the caller: engine/convert's pad_to_block_size).
    at::Tensor forward(const at::Tensor& hidden, const std::optional<at::Tensor>& extendedMask) const;

    // nullptr switches the layer back to dense attention.
    void setSparseAttention(std::shared_ptr<const SparseAttentionSetting> setting) { m_sparse = std::move(setting); }
    const std::shared_ptr<const SparseAttentionSetting>& sparseAttention() const { return m_sparse; }

private:
    std::shared_ptr<const SparseAttentionSetting> m_sparse;
};

} // namespace spw
