#pragma once
// `bench-attention --check`: how far block-sparse attention's output (and gradients) lie from dense attention with
// the layout as a token mask, computed in float32 (float64 for float64 inputs) with autograd, one batch entry and
// head at a time and query rows in chunks, so that the L × L scores never exceed a chunk's worth of memory.
// Rows whose layout attends nothing give 0 and zero gradients, as the block-sparse semantics say (design.md §3).
#include "sparsity/layout.h"

#include <ATen/ATen.h>

#include <optional>

namespace spw {

struct DenseCheckError {
    double maxAbsolute = 0; // max |ours - reference|
    double relative = 0; // maxAbsolute / max |reference| (0 when the reference is all zeros)
};

struct DenseCheck {
    DenseCheckError output;
    std::optional<DenseCheckError> query, key, value; // gradients, when a gradient of the output was given
};

struct BlockSparseResult {
    at::Tensor output;
    at::Tensor gradQuery, gradKey, gradValue; // undefined when only the forward was run
};

// query/key/value [batch, heads, seq_len, head_dim] on any device; `gradOutput` (same shape) when `ours` holds
// gradients. No masks: bench-attention times the layout alone.
DenseCheck checkAgainstDense(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, double scale, const BlockSparseResult& ours, const at::Tensor& gradOutput = {});

} // namespace spw
