#pragma once
// The engine Layout of a layout tensor, converted once per tensor. Converting reads, copies and hashes the whole
// [heads, n, n] mask (12 MB at 16,384 tokens with block 16); repeated in every layer's forward and backward it cost
// more than the kernels themselves (a BERT-base training step at 16,384 tokens ran 3.9x slower with block 16 than
// with block 64).
#include "sparsity/layout.h"

#include <ATen/ATen.h>

#include <functional>
#include <memory>

namespace spw::ops {

// Returns the cached conversion of `layout` (as made by `convert`) when the same tensor, or a view with the same
// storage, offset, shape, strides and dtype, was converted before with the same block and has not been changed in
// place since (its version counter says so). Inference tensors carry no version counter: they are converted every
// call. A few recent layouts are kept; an entry holds its tensor, so that the storage cannot be freed and reused for
// another layout while the entry lives.
std::shared_ptr<const Layout> cachedLayout(
    const at::Tensor& layout, std::int64_t block, const std::function<Layout()>& convert);

} // namespace spw::ops
