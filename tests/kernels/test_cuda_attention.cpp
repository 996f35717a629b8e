// The CUDA block-sparse attention (engine/attention/cuda_attention.h → kernels/) against float32 dense attention
// over the layout expanded to a token mask. Tolerance: the kernel's relative error may be at most twice that of
// plain dense attention computed in the input's half precision on the same inputs, plus 1e-3. Fresh random inputs
// per case; the output's memory is poisoned with NaN first, so an unwritten element fails.
#include "attention/cuda_attention.h"
#include "cuda_test_inputs.h"
#include "dense_reference.h"

#include "common/error.h"
#include "sparsity/layout.h"
#include "sparsity/sparsity_config.h"

#include <ATen/cuda/CUDAContext.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <random>

namespace spw {
namespace {

using test::Inputs;
using test::modeLayout;
using test::nextSeed;
using test::oddLength;
using test::randomInputs;

// Leaves a block of NaN in the caching allocator so that the next allocation of that size (the output) starts
// poisoned.
void poisonNextAllocation(const std::vector<std::int64_t>& shape, at::ScalarType type)
{
    at::Tensor poison
        = at::full(shape, std::numeric_limits<double>::quiet_NaN(), at::TensorOptions().dtype(type).device(at::kCUDA));
    poison.reset();
}

struct Errors {
    double ours, halfDense;
};

// Runs our kernels and both references; returns the kernel's output for further checks.
at::Tensor checkAgainstDense(const Inputs& in, const Layout& layout, const AttentionMasks& masks,
    DenseRoute route = DenseRoute::Sdpa, Errors* errors = nullptr)
{
    const double scale = 1.0 / std::sqrt(double(in.q.size(3)));
    const auto type = in.q.scalar_type();
    poisonNextAllocation(in.q.sizes().vec(), type == at::kFloat ? at::kHalf : type);
    const auto tables = cudaLayoutTables(layout, int(in.q.size(3)), in.q.device().index());
    at::Tensor out = cudaBlockSparseAttention(in.q, in.k, in.v, layout, *tables, masks, scale, route);
    EXPECT_EQ(out.scalar_type(), type);
    EXPECT_EQ(out.sizes(), in.q.sizes());
    EXPECT_TRUE(out.isfinite().all().item<bool>()) << "output has NaN/inf (unwritten or bad masking)";

    const at::Tensor ref = test::denseReference(
        in.q.to(at::kFloat), in.k.to(at::kFloat), in.v.to(at::kFloat), layout, masks, scale, at::kFloat);
    const auto halfType = type == at::kFloat ? at::kHalf : type;
    const at::Tensor half = test::denseReference(in.q, in.k, in.v, layout, masks, scale, halfType);
    const double ours = test::relativeError(out, ref);
    const double halfDense = test::relativeError(half, ref);
    EXPECT_LE(ours, 2.0 * halfDense + 1e-3) << "ours " << ours << " vs plain half-precision dense " << halfDense;
    if (errors)
        *errors = { ours, halfDense };
    return out;
}

// Additive key padding (the float16 minimum on batch 1's last `paddedKeys` keys) and a random multiplicative
// attention mask keeping 80% of the pairs.
AttentionMasks paddingAndRandomMask(std::int64_t batch, std::int64_t seqLen, std::int64_t paddedKeys)
{
    const auto options = at::TensorOptions().device(at::kCUDA);
    at::Tensor padding = at::zeros({ batch, seqLen }, options);
    padding[1].slice(0, seqLen - paddedKeys).fill_(-65504.0);
    at::manual_seed(nextSeed());
    AttentionMasks masks;
    masks.keyPadding = padding;
    masks.keyPaddingMode = MaskMode::Add;
    masks.attention = at::rand({ seqLen, seqLen }, options).gt(0.2);
    masks.attentionMode = MaskMode::Mul;
    return masks;
}

struct ModeCase {
    SparsityMode mode;
    int block;
    std::int64_t seqLen;
};

std::string caseName(const ModeCase& c, int headDim)
{
    return std::string(modeName(c.mode)) + " block " + std::to_string(c.block) + " L " + std::to_string(c.seqLen)
        + " D " + std::to_string(headDim);
}

TEST(CudaAttention, EveryModeBlockAndHeadDimFloat16)
{
    SKIP_WITHOUT_CUDA();
    for (SparsityMode mode : allModes())
        for (int block : { 16, 32, 64, 128 })
            for (int headDim : { 32, 64, 128 }) {
                const ModeCase c { mode, block, oddLength(block) };
                SCOPED_TRACE(caseName(c, headDim));
                const Layout layout = modeLayout(mode, block, c.seqLen, 5, mode == SparsityMode::BigBird);
                checkAgainstDense(randomInputs(3, 5, c.seqLen, headDim, at::kHalf), layout, {}, DenseRoute::Kernels);
            }
}

// Runs `body` with SPW_MATRIX_PATH set to `path` (the kernels' tensor-core instructions), then restores the default.
void withMatrixPath(const char* path, const std::function<void()>& body)
{
    setenv("SPW_MATRIX_PATH", path, 1);
    body();
    unsetenv("SPW_MATRIX_PATH");
}

bool deviceIsHopper()
{
    const cudaDeviceProp* properties = at::cuda::getCurrentDeviceProperties();
    return properties->major == 9 && properties->minor == 0;
}

// Each tensor-core path on its own, whatever the kernels would pick: mma.sync everywhere, both wgmma paths (Hopper)
// also on the small blocks they are not picked for, where a warpgroup's key tiles hold slices some of its warps do not
// attend. With and without masks, fp16 and bf16, tails, empty rows (fixed's unidirectional rows with block padding) and
// split tiles.
TEST(CudaAttention, EachMatrixPathOnEveryModeAndBlock)
{
    SKIP_WITHOUT_CUDA();
    std::vector<const char*> paths { "mma-sync" };
    if (deviceIsHopper()) {
        paths.push_back("wgmma");
        paths.push_back("wgmma-tma");
    } else {
        std::cout << "[ SKIPPED  ] the wgmma paths: this GPU is not compute capability 9.0\n";
    }
    for (const char* path : paths)
        withMatrixPath(path, [&] {
            for (SparsityMode mode : allModes())
                for (int block : { 16, 32, 64, 128 })
                    for (int headDim : { 64, 128 }) {
                        const ModeCase c { mode, block, oddLength(block) };
                        SCOPED_TRACE(std::string(path) + " " + caseName(c, headDim));
                        const Layout layout = modeLayout(mode, block, c.seqLen, 5, mode == SparsityMode::BigBird);
                        const auto type = block == 32 ? at::kBFloat16 : at::kHalf;
                        checkAgainstDense(randomInputs(2, 5, c.seqLen, headDim, type), layout, {}, DenseRoute::Kernels);
                        checkAgainstDense(randomInputs(2, 5, c.seqLen, headDim, type), layout,
                            paddingAndRandomMask(2, c.seqLen, 40), DenseRoute::Kernels);
                    }
            const ModeCase split { SparsityMode::BSLongformer, 64, 4096 };
            SCOPED_TRACE(std::string(path) + " " + caseName(split, 128));
            checkAgainstDense(randomInputs(2, 3, split.seqLen, 128, at::kHalf),
                modeLayout(split.mode, split.block, split.seqLen, 3), {});
        });
}

TEST(CudaAttention, WgmmaPathOnHeadDim32IsRefused)
{
    SKIP_WITHOUT_CUDA();
    const Layout layout = modeLayout(SparsityMode::BSLongformer, 64, 576, 5);
    const Inputs in = randomInputs(1, 5, 576, 32, at::kHalf);
    const auto tables = cudaLayoutTables(layout, 32, in.q.device().index());
    withMatrixPath("wgmma", [&] {
        EXPECT_THROW(
            {
                try {
                    cudaBlockSparseAttention(in.q, in.k, in.v, layout, *tables, {}, 0.125, DenseRoute::Kernels);
                } catch (const Error& e) {
                    EXPECT_NE(std::string(e.what()).find("the wgmma path needs head dim 64 or 128"), std::string::npos)
                        << e.what();
                    throw;
                }
            },
            Error);
    });
}

TEST(CudaAttention, LongerLengthsAndSplitHeavyRows)
{
    SKIP_WITHOUT_CUDA();
    // 1040 = 65 blocks of 16: neither tile divides it. At 2048 and 4096 the global row's query tile is split
    // across CTAs, merged by the last of them to finish.
    for (ModeCase c : { ModeCase { SparsityMode::BSLongformer, 16, 1040 }, ModeCase { SparsityMode::BigBird, 16, 2048 },
             ModeCase { SparsityMode::BSLongformer, 16, 4096 }, ModeCase { SparsityMode::Fixed, 64, 2048 },
             ModeCase { SparsityMode::BSLongformer, 128, 2048 } })
        for (int headDim : { 64, 128 }) {
            SCOPED_TRACE(caseName(c, headDim));
            const Layout layout = modeLayout(c.mode, c.block, c.seqLen, 3, c.mode == SparsityMode::BigBird);
            checkAgainstDense(randomInputs(3, 3, c.seqLen, headDim, at::kHalf), layout, {});
        }
}

TEST(CudaAttention, BFloat16AndFloat32Inputs)
{
    SKIP_WITHOUT_CUDA();
    for (auto type : { at::kBFloat16, at::kFloat })
        for (int block : { 16, 64 })
            for (int headDim : { 32, 64, 128 }) {
                SCOPED_TRACE(std::string(c10::toString(type)) + " block " + std::to_string(block) + " D "
                    + std::to_string(headDim));
                const std::int64_t seqLen = oddLength(block);
                const Layout layout = modeLayout(SparsityMode::BSLongformer, block, seqLen, 5);
                checkAgainstDense(randomInputs(3, 5, seqLen, headDim, type), layout, {});
            }
}

TEST(CudaAttention, DenseLayoutThroughSdpaAndThroughKernels)
{
    SKIP_WITHOUT_CUDA();
    const Layout layout = modeLayout(SparsityMode::Dense, 64, 576, 5);
    const Inputs in = randomInputs(3, 5, 576, 64, at::kHalf);
    checkAgainstDense(in, layout, {}, DenseRoute::Sdpa);
    checkAgainstDense(in, layout, {}, DenseRoute::Kernels);
}

TEST(CudaAttention, KeyPaddingAddWithAllPaddingBatch)
{
    SKIP_WITHOUT_CUDA();
    for (auto type : { at::kHalf, at::kFloat }) {
        for (int block : { 16, 32 }) {
            const std::int64_t seqLen = block == 16 ? 1040 : 416;
            SCOPED_TRACE(std::string(c10::toString(type)) + " block " + std::to_string(block));
            const Layout layout = modeLayout(SparsityMode::BSLongformer, block, seqLen, 5);
            // HuggingFace's extended mask: 0 keep, the dtype's minimum exclude. Batch 1 pads its last 37 keys,
            // batch 2 is all padding: dense softmax then spreads evenly over the layout's keys.
            const double minimum = type == at::kHalf ? -65504.0 : double(std::numeric_limits<float>::lowest());
            at::Tensor padding = at::zeros({ 3, seqLen }, at::TensorOptions().dtype(type).device(at::kCUDA));
            padding[1].slice(0, seqLen - 37).fill_(minimum);
            padding[2].fill_(minimum);
            AttentionMasks masks;
            masks.keyPadding = padding;
            masks.keyPaddingMode = MaskMode::Add;
            checkAgainstDense(randomInputs(3, 5, seqLen, 64, type), layout, masks);
        }
    }
}

TEST(CudaAttention, KeyPaddingMulWithAllPaddingBatchGivesZeros)
{
    SKIP_WITHOUT_CUDA();
    const std::int64_t seqLen = 2048; // the global row's tile is split: the combine step sees excluded rows too
    const Layout layout = modeLayout(SparsityMode::BSLongformer, 16, seqLen, 5);
    at::Tensor padding = at::ones({ 3, seqLen }, at::TensorOptions().dtype(at::kFloat).device(at::kCUDA));
    padding[0].slice(0, 1000).fill_(0);
    padding[2].fill_(0);
    AttentionMasks masks;
    masks.keyPadding = padding;
    masks.keyPaddingMode = MaskMode::Mul;
    const at::Tensor out = checkAgainstDense(randomInputs(3, 5, seqLen, 64, at::kHalf), layout, masks);
    EXPECT_EQ(out[2].abs().max().item<float>(), 0.0f);
}

TEST(CudaAttention, AttentionMaskMulAndAdd)
{
    SKIP_WITHOUT_CUDA();
    const std::int64_t seqLen = 1040;
    for (bool split : { false, true }) {
        const std::int64_t length = split ? 2048 : seqLen;
        const Layout layout = modeLayout(SparsityMode::BigBird, 16, length, 5, true);
        const auto options = at::TensorOptions().device(at::kCUDA);
        at::manual_seed(nextSeed());
        at::Tensor keepMask = at::rand({ length, length }, options).gt(0.3).to(at::kFloat);
        keepMask.slice(0, 5, 9).zero_(); // rows with every key excluded
        AttentionMasks mul;
        mul.attention = keepMask;
        mul.attentionMode = MaskMode::Mul;
        SCOPED_TRACE(split ? "split" : "plain");
        checkAgainstDense(randomInputs(3, 5, length, 64, at::kHalf), layout, mul);

        AttentionMasks add;
        add.attention = at::randn({ length, length }, options) * 2.0;
        add.attentionMode = MaskMode::Add;
        at::Tensor padding = at::ones({ 3, length }, options);
        padding[1].slice(0, length / 2).zero_();
        add.keyPadding = padding;
        add.keyPaddingMode = MaskMode::Mul;
        checkAgainstDense(randomInputs(3, 5, length, 128, at::kHalf), layout, add);
    }
}

TEST(CudaAttention, RandomPerHeadLayoutWithEmptyRows)
{
    SKIP_WITHOUT_CUDA();
    std::mt19937 rng(3);
    for (int block : { 16, 32, 64, 128 }) {
        Layout layout;
        layout.numHeads = 5;
        layout.block = block;
        layout.numBlocks = int(oddLength(block) / block);
        layout.mask.resize(std::size_t(5) * layout.numBlocks * layout.numBlocks);
        std::bernoulli_distribution on(0.35);
        for (auto& m : layout.mask)
            m = on(rng);
        for (int col = 0; col < layout.numBlocks; ++col)
            layout.mask[layout.index(1, 2, col)] = 0; // head 1, row block 2 attends nothing: zeros
        layout.source.assign(layout.mask.size(), BlockSource::Random);
        SCOPED_TRACE("block " + std::to_string(block));
        const at::Tensor out = checkAgainstDense(randomInputs(3, 5, layout.seqLen(), 64, at::kHalf), layout, {});
        EXPECT_EQ(out.select(1, 1).slice(1, 2 * block, 3 * block).abs().max().item<float>(), 0.0f);
    }
}

TEST(CudaAttention, StridedInputs)
{
    SKIP_WITHOUT_CUDA();
    // [B, L, H, D] storage viewed as [B, H, L, D]: the kernels read it in place through the strides.
    const std::int64_t seqLen = 576;
    const Layout layout = modeLayout(SparsityMode::Fixed, 64, seqLen, 5);
    at::manual_seed(nextSeed());
    const auto options = at::TensorOptions().dtype(at::kHalf).device(at::kCUDA);
    Inputs in { at::randn({ 3, seqLen, 5, 64 }, options).transpose(1, 2),
        at::randn({ 3, seqLen, 5, 64 }, options).transpose(1, 2),
        at::randn({ 3, seqLen, 5, 64 }, options).transpose(1, 2) };
    ASSERT_FALSE(in.q.is_contiguous());
    checkAgainstDense(in, layout, {});
}

TEST(CudaAttention, EngineEntryPointDispatchesCudaTensors)
{
    SKIP_WITHOUT_CUDA();
    const Layout layout = modeLayout(SparsityMode::BSLongformer, 32, 416, 5);
    const Inputs in = randomInputs(3, 5, 416, 64, at::kHalf);
    const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout);
    const at::Tensor ref = test::denseReference(
        in.q.to(at::kFloat), in.k.to(at::kFloat), in.v.to(at::kFloat), layout, {}, 0.125, at::kFloat);
    EXPECT_LT(test::relativeError(out, ref), 2e-3);
}

TEST(CudaAttention, BothPipelineDepthsWithMasks)
{
    SKIP_WITHOUT_CUDA();
    // The kernels stream key/value tiles through 2 or 3 shared-memory stages (pipelineStagesFor picks per block);
    // force each on masked and unmasked cases so that both meet masks, tails, short work items and split tiles.
    for (const char* stages : { "2", "3" }) {
        setenv("SPW_KERNEL_STAGES", stages, 1);
        for (ModeCase c : { ModeCase { SparsityMode::BSLongformer, 16, 2048 },
                 ModeCase { SparsityMode::Fixed, 64, 576 }, ModeCase { SparsityMode::BigBird, 32, 416 } }) {
            SCOPED_TRACE(std::string("stages ") + stages + " " + caseName(c, 64));
            const Layout layout = modeLayout(c.mode, c.block, c.seqLen, 5, true);
            checkAgainstDense(randomInputs(3, 5, c.seqLen, 32, at::kHalf), layout, {});
            const AttentionMasks masks = paddingAndRandomMask(3, c.seqLen, 50);
            checkAgainstDense(randomInputs(3, 5, c.seqLen, 64, at::kHalf), layout, masks);
            checkAgainstDense(randomInputs(3, 5, c.seqLen, 128, at::kHalf), layout, masks);
        }
    }
    unsetenv("SPW_KERNEL_STAGES");
}

std::string errorOf(const std::function<void()>& call)
{
    try {
        call();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(CudaAttention, UnsupportedInputsAreNamed)
{
    SKIP_WITHOUT_CUDA();
    const Layout layout = modeLayout(SparsityMode::BSLongformer, 16, 112, 5);
    const Inputs in40 = randomInputs(1, 5, 112, 40, at::kHalf);
    EXPECT_EQ(errorOf([&] { cudaBlockSparseAttention(in40.q, in40.k, in40.v, layout, {}, 0.1); }),
        "attention: head_dim 40 is not supported by the CUDA kernels (32, 64 or 128)");

    Layout block8 = layout;
    block8.block = 8;
    block8.numBlocks = 14;
    block8.mask.assign(std::size_t(5) * 14 * 14, 1);
    const Inputs in = randomInputs(1, 5, 112, 64, at::kHalf);
    EXPECT_EQ(errorOf([&] { cudaBlockSparseAttention(in.q, in.k, in.v, block8, {}, 0.1); }),
        "attention: layout block 8 is not supported by the CUDA kernels (16, 32, 64 or 128)");

    EXPECT_EQ(errorOf([&] { cudaBlockSparseAttention(in.q.cpu(), in.k.cpu(), in.v.cpu(), layout, {}, 0.1); }),
        "attention: query is on cpu, the CUDA kernels need CUDA tensors");
    const Inputs shorter = randomInputs(1, 5, 96, 64, at::kHalf);
    EXPECT_NE(errorOf([&] { cudaBlockSparseAttention(shorter.q, shorter.k, shorter.v, layout, {}, 0.1); }), "");
}

} // namespace
} // namespace spw
