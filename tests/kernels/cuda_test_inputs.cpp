#include "cuda_test_inputs.h"

#include <ATen/cuda/CUDAContext.h>

#include <algorithm>

namespace spw::test {

bool haveCudaDevice()
{
    return at::hasCUDA() && at::cuda::getNumGPUs() > 0;
}

std::uint64_t nextSeed()
{
    static std::uint64_t seed = 12345;
    return seed++;
}

Layout modeLayout(SparsityMode mode, int block, std::int64_t seqLen, int heads, bool perHead)
{
    SparsityConfig config = defaultsFor(mode);
    config.block = block;
    config.numHeads = heads;
    config.differentLayoutPerHead = perHead;
    if (mode == SparsityMode::BigBird || mode == SparsityMode::Variable)
        config.numRandomBlocks = std::min<int>(1, int(seqLen / block));
    return makeLayout(config, seqLen, heads, 7);
}

std::int64_t oddLength(int block)
{
    return block == 16 ? 112 : block == 32 ? 416 : block == 64 ? 576 : 640;
}

Inputs randomInputs(
    std::int64_t batch, std::int64_t heads, std::int64_t seqLen, std::int64_t headDim, at::ScalarType type)
{
    at::manual_seed(nextSeed());
    const auto options = at::TensorOptions().dtype(at::kFloat).device(at::kCUDA);
    return { at::randn({ batch, heads, seqLen, headDim }, options).to(type),
        at::randn({ batch, heads, seqLen, headDim }, options).to(type),
        at::randn({ batch, heads, seqLen, headDim }, options).to(type) };
}

} // namespace spw::test
