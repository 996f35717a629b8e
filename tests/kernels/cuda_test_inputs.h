#pragma once
// Inputs shared by the CUDA attention tests: layouts of every mode at a block, fresh random [B, H, L, D] tensors on
// the GPU, and the skip for machines without a CUDA device.
#include "sparsity/layout.h"
#include "sparsity/sparsity_config.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <string>

namespace spw::test {

bool haveCudaDevice();

#define SKIP_WITHOUT_CUDA()                                                                                            \
    if (!::spw::test::haveCudaDevice())                                                                                \
    GTEST_SKIP() << "no CUDA device"

// A fresh seed per call, so that every check draws new inputs.
std::uint64_t nextSeed();

// DeepSpeed's layout of `mode` at `block` (bigbird and variable with one random block).
Layout modeLayout(SparsityMode mode, int block, std::int64_t seqLen, int heads, bool perHead = false);

// Lengths that are multiples of the block but not of the kernels' 64/128-row tiles.
std::int64_t oddLength(int block);

struct Inputs {
    at::Tensor q, k, v;
};

// Standard normal [batch, heads, seqLen, headDim] query, key and value in `type` on the GPU.
Inputs randomInputs(
    std::int64_t batch, std::int64_t heads, std::int64_t seqLen, std::int64_t headDim, at::ScalarType type);

} // namespace spw::test
