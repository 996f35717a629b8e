#pragma once
// TMA descriptors (CUtensorMap) of the forward's query, key and value, for the warpgroup pipeline: each tensor seen as
// [batch, heads, seqLen, headDim] with its own strides, copied in boxes of 16 rows × 64 head-dim columns into the
// 128-byte swizzle that wgmma's descriptors read. Rows past seqLen read as zeros.
#include "block_sparse_attention.h"

#include <cuda.h>

#include <string>

namespace spw::kernels::detail {

struct ForwardTensorMaps {
    CUtensorMap query;
    CUtensorMap key;
    CUtensorMap value;
};

// Empty when fine, else why TMA cannot describe the tensors (the caller then takes another path or reports it).
std::string encodeForwardTensorMaps(const AttentionParams& p, ForwardTensorMaps& maps);

} // namespace spw::kernels::detail
