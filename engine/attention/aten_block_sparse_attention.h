#pragma once
// The CPU path of blockSparseAttention(): gathers, per row block, only the key/value blocks its layout row names,
// so that time and memory follow the number of nonzero blocks; the seq_len × seq_len score matrix is never formed.
#include "attention/block_sparse_attention.h"

namespace spw {

// Arguments already checked (checkAttentionArguments). float16/bfloat16 are computed in float32.
at::Tensor atenBlockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks, double scale);

} // namespace spw
