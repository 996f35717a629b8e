#pragma once
// The operator library's arguments turned into the engine's: the layout tensor into an spw::Layout and the mask
// arguments into spw::AttentionMasks, with every mistake a c10::Error naming the argument (as the schema spells it).
#include "attention/block_sparse_attention.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>

namespace spw::ops {

struct EngineArguments {
    std::shared_ptr<const Layout> layout; // shared with the layout cache (layout_cache.h)
    AttentionMasks masks;
    std::optional<double> scale;
};

// query [batch, heads, seq_len, head_dim]; layout [heads, seq_len/block, seq_len/block], bool or integer, nonzero =
// attended, on any device (it is read on the host: a CPU tensor costs no device synchronisation); modes "add" or
// "mul". Shapes, dtypes and devices of key, value and the masks are checked by the engine.
EngineArguments engineArguments(const at::Tensor& query, const at::Tensor& layout, std::int64_t block,
    const c10::optional<at::Tensor>& keyPaddingMask, c10::string_view keyPaddingMode,
    const c10::optional<at::Tensor>& attnMask, c10::string_view attnMaskMode, c10::optional<double> scale);

} // namespace spw::ops
