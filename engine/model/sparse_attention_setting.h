#pragma once
// What a self-attention layer needs to run block-sparse (DeepSpeed's SparseSelfAttention): the configuration, the
// seed of its random blocks, and the layout built once at the model's maximum usable length. An input of padded
// length L uses the layout's top-left (L / block)² corner.
#include "io/model_config.h"
#include "sparsity/layout.h"
#include "sparsity/sparsity_config.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace spw {

struct SparseAttentionSetting {
    SparsityConfig config;
    std::uint64_t seed = 0;
    Layout layout; // at sparseLayoutLength(model config, config.block) tokens, one layout per model head

    // The top-left corner for an input of numBlocks blocks, made once per length and kept: every layer and every
    // forward at that length shares it (and its fingerprint) instead of copying megabytes of mask per call.
    std::shared_ptr<const Layout> cornerFor(int numBlocks) const;

private:
    mutable std::mutex m_cornersMutex;
    mutable std::map<int, std::shared_ptr<const Layout>> m_corners;
};

// The length the layout is built at: the longest input the model accepts (ModelConfig::usableMaxLength) rounded UP
// to a multiple of the block. Inputs reach attention padded on the right to the block (DeepSpeed's
// pad_to_block_size, convert/padded_run.h), so the longest input arrives as ceil(max / block) blocks and its corner
// must exist: rounding down would leave a maximum-length input without a layout whenever the maximum is not a
// multiple of the block (a 100-position BERT with block 16: 100 tokens pad to 112, a 96-token layout has no 7×7
// corner). The extra rows cost nothing in the position table: padded tokens take pad_token_id as their position id.
// Throws spw::Error when the block is not positive.
std::int64_t sparseLayoutLength(const ModelConfig& model, int block);

// The one builder of a model's sparse setting (used to switch layers, convert, profile and load converted models):
// validates `config` against the model (num_heads, when the configuration sets it, must equal the model's heads),
// fills in num_heads and the seed, and builds the layout at sparseLayoutLength.
std::shared_ptr<const SparseAttentionSetting> makeSparseAttentionSetting(
    const SparsityConfig& config, std::uint64_t seed, const ModelConfig& model);

} // namespace spw
