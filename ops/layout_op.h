#pragma once
// sparse_workbench::make_layout: the engine's layout for a sparsity configuration (a ds_config or its
// "sparse_attention" object, as JSON text) at seq_len tokens, as an int32 [num_heads, seq_len/block, seq_len/block]
// tensor on the CPU (1 = attended). num_heads 0 takes the configuration's num_heads. The random blocks come from
// `seed`; a "seed" key in the configuration is not used (pass it here), so that one call gives one layout.
#include <ATen/ATen.h>

#include <cstdint>

namespace spw::ops {

at::Tensor makeLayoutOp(
    c10::string_view sparsityConfigJson, std::int64_t seqLen, std::int64_t numHeads, std::int64_t seed);

} // namespace spw::ops
