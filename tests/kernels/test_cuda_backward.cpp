// Gradients of the CUDA block-sparse attention (cudaBlockSparseAttentionWithStats + cudaBlockSparseAttentionBackward)
// against autograd through float32 dense attention over the layout expanded to a token mask, on the GPU.
// Tolerance: for each of dQ, dK and dV the relative error may be at most twice that of PyTorch's own half-precision
// attention (at::scaled_dot_product_attention forward and backward, the same inputs and masks as an additive bias)
// against the same reference, plus a few units of the dtype's rounding (SDPA may run its math backend, which keeps
// the probabilities in fp32 where FlashAttention-style kernels, ours included, round them to the input's type).
// Fresh random inputs per case; gradients are poisoned with NaN first. Each case prints its errors and SDPA's.
#include "attention/cuda_attention.h"
#include "cuda_test_inputs.h"
#include "dense_reference.h"

#include "common/error.h"

#include <ATen/cuda/CUDAContext.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>

namespace spw {
namespace {

using test::Inputs;
using test::modeLayout;
using test::nextSeed;
using test::oddLength;
using test::randomInputs;

struct Grads {
    at::Tensor q, k, v;
};

Grads autogradOf(const std::function<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&)>& attention,
    const Inputs& in, at::ScalarType type, const at::Tensor& gradOut)
{
    const at::Tensor q = in.q.to(type).detach().requires_grad_(true);
    const at::Tensor k = in.k.to(type).detach().requires_grad_(true);
    const at::Tensor v = in.v.to(type).detach().requires_grad_(true);
    const at::Tensor out = attention(q, k, v);
    const auto grads = torch::autograd::grad({ out }, { q, k, v }, { gradOut.to(type) });
    return { grads[0], grads[1], grads[2] };
}

// PyTorch's attention in the inputs' half precision, the masks as one additive bias (-inf where excluded). Rows that
// attend nothing get a zero bias row instead (SDPA would give NaN): `gradOut` must be zero on those rows.
Grads sdpaGrads(
    const Inputs& in, const Layout& layout, const AttentionMasks& masks, double scale, const at::Tensor& gradOut)
{
    const auto type = in.q.scalar_type() == at::kFloat ? at::kHalf : in.q.scalar_type();
    const test::MaskTerms terms = test::maskTerms(layout, masks, type, in.q.device());
    at::Tensor bias = at::zeros({ 1, 1, 1, 1 }, in.q.options().dtype(type));
    for (const at::Tensor& additive : terms.additive)
        bias = bias + additive;
    bias = bias.masked_fill(terms.keep.logical_not(), -std::numeric_limits<double>::infinity());
    bias = at::where(terms.anyKept, bias, at::zeros_like(bias));
    bias = bias.expand({ in.q.size(0), in.q.size(1), in.q.size(2), in.q.size(2) }).contiguous();
    return autogradOf(
        [&](const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
            return at::scaled_dot_product_attention(q, k, v, bias, 0.0, false, scale);
        },
        in, type, gradOut);
}

Grads referenceGrads(
    const Inputs& in, const Layout& layout, const AttentionMasks& masks, double scale, const at::Tensor& gradOut)
{
    return autogradOf(
        [&](const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
            return test::denseReference(q, k, v, layout, masks, scale, at::kFloat);
        },
        in, at::kFloat, gradOut);
}

// Leaves blocks of NaN in the caching allocator so that the next allocations of that size (the gradients) start
// poisoned: an element the kernels do not write fails the finiteness check.
void poisonNextAllocations(const std::vector<std::int64_t>& shape, at::ScalarType type)
{
    std::vector<at::Tensor> poison;
    for (int i = 0; i < 3; ++i)
        poison.push_back(at::full(
            shape, std::numeric_limits<double>::quiet_NaN(), at::TensorOptions().dtype(type).device(at::kCUDA)));
}

at::Tensor randomGradOut(const Inputs& in)
{
    at::manual_seed(test::nextSeed());
    return at::randn(in.q.sizes(), in.q.options().dtype(at::kFloat)).to(in.q.scalar_type());
}

// Zero on the rows that attend nothing (see sdpaGrads); unchanged elsewhere.
at::Tensor zeroEmptyRows(const at::Tensor& gradOut, const Layout& layout, const AttentionMasks& masks)
{
    const test::MaskTerms terms = test::maskTerms(layout, masks, at::kFloat, gradOut.device());
    return gradOut.masked_fill(terms.anyKept.logical_not(), 0.0);
}

// Runs forward with statistics and backward; checks each gradient against the reference. `gradOut`: defaults to
// random, zero on rows that attend nothing.
Grads checkGradients(const Inputs& in, const Layout& layout, const AttentionMasks& masks,
    std::optional<at::Tensor> gradOut = std::nullopt)
{
    const double scale = 1.0 / std::sqrt(double(in.q.size(3)));
    const at::Tensor dO = gradOut ? *gradOut : zeroEmptyRows(randomGradOut(in), layout, masks);
    const AttentionWithStats forward = cudaBlockSparseAttentionWithStats(in.q, in.k, in.v, layout, masks, scale);
    const auto type = in.q.scalar_type();
    poisonNextAllocations(in.q.sizes().vec(), type == at::kFloat ? at::kHalf : type);
    const AttentionGradients ours = cudaBlockSparseAttentionBackward(
        dO, in.q, in.k, in.v, forward.output, forward.logSumExp, layout, masks, scale);
    const Grads ref = referenceGrads(in, layout, masks, scale, dO);
    const Grads half = sdpaGrads(in, layout, masks, scale, zeroEmptyRows(dO, layout, masks));
    const char* names[3] = { "dQ", "dK", "dV" };
    const at::Tensor got[3] = { ours.query, ours.key, ours.value };
    const at::Tensor want[3] = { ref.q, ref.k, ref.v };
    const at::Tensor baseline[3] = { half.q, half.k, half.v };
    const double slack = type == at::kBFloat16 ? 8e-3 : 2e-3;
    double errors[3] = { 0, 0, 0 };
    double sdpaErrors[3] = { 0, 0, 0 };
    for (int i = 0; i < 3; ++i) {
        SCOPED_TRACE(names[i]);
        EXPECT_EQ(got[i].scalar_type(), type);
        EXPECT_EQ(got[i].sizes(), in.q.sizes());
        EXPECT_TRUE(got[i].is_contiguous());
        EXPECT_TRUE(got[i].isfinite().all().item<bool>()) << "gradient has NaN/inf (unwritten or bad masking)";
        if (want[i].abs().max().item<double>() == 0.0) {
            EXPECT_EQ(got[i].abs().max().item<double>(), 0.0) << "the reference gradient is zero";
            continue;
        }
        errors[i] = test::relativeError(got[i], want[i]);
        sdpaErrors[i] = test::relativeError(baseline[i], want[i]);
        EXPECT_LE(errors[i], 2.0 * sdpaErrors[i] + slack)
            << "ours " << errors[i] << " vs half-precision SDPA " << sdpaErrors[i];
    }
    std::printf("  errors dQ %.2e dK %.2e dV %.2e (SDPA %.2e %.2e %.2e)\n", errors[0], errors[1], errors[2],
        sdpaErrors[0], sdpaErrors[1], sdpaErrors[2]);
    return { ours.query, ours.key, ours.value };
}

std::string caseName(SparsityMode mode, int block, int headDim, at::ScalarType type)
{
    return std::string(modeName(mode)) + " block " + std::to_string(block) + " D " + std::to_string(headDim) + " "
        + c10::toString(type);
}

TEST(CudaBackward, EveryModeBlockHeadDimAndDtype)
{
    SKIP_WITHOUT_CUDA();
    for (auto type : { at::kHalf, at::kBFloat16 })
        for (SparsityMode mode : allModes())
            for (int block : { 16, 32, 64, 128 })
                for (int headDim : { 32, 64, 128 }) {
                    SCOPED_TRACE(caseName(mode, block, headDim, type));
                    const std::int64_t seqLen = oddLength(block);
                    const Layout layout = modeLayout(mode, block, seqLen, 3, mode == SparsityMode::BigBird);
                    checkGradients(randomInputs(2, 3, seqLen, headDim, type), layout, {});
                }
}

TEST(CudaBackward, SplitGlobalRowsAndColumns)
{
    SKIP_WITHOUT_CUDA();
    // At 2048 and 4096 tokens the global row's query tile and the global column's key tile are split across CTAs
    // whose partial sums the last of them adds.
    for (SparsityMode mode : { SparsityMode::BSLongformer, SparsityMode::BigBird, SparsityMode::Fixed })
        for (std::int64_t seqLen : { 2048, 4096 })
            for (int headDim : { 64, 128 }) {
                SCOPED_TRACE(caseName(mode, 16, headDim, at::kBFloat16) + " L " + std::to_string(seqLen));
                const Layout layout = modeLayout(mode, 16, seqLen, 2, true);
                checkGradients(randomInputs(2, 2, seqLen, headDim, at::kBFloat16), layout, {});
            }
}

TEST(CudaBackward, KeyPaddingAddWithFullyPaddedBatch)
{
    SKIP_WITHOUT_CUDA();
    for (auto type : { at::kHalf, at::kBFloat16 })
        for (int block : { 16, 64 }) {
            const std::int64_t seqLen = block == 16 ? 1040 : 2048;
            SCOPED_TRACE(std::string(c10::toString(type)) + " block " + std::to_string(block));
            const Layout layout = modeLayout(SparsityMode::BSLongformer, block, seqLen, 3);
            // HuggingFace's extended mask (0 keep, the float32 minimum exclude): batch 1 pads its last 37 keys,
            // batch 2 is all padding. Its rows attend only padding, which no loss reads: their gradient of the
            // output is zero (the saved log-sum-exp cannot resolve a softmax shifted by 3e38).
            at::Tensor padding = at::zeros({ 3, seqLen }, at::TensorOptions().device(at::kCUDA));
            padding[1].slice(0, seqLen - 37).fill_(std::numeric_limits<float>::lowest());
            padding[2].fill_(std::numeric_limits<float>::lowest());
            AttentionMasks masks;
            masks.keyPadding = padding;
            masks.keyPaddingMode = MaskMode::Add;
            const Inputs in = randomInputs(3, 3, seqLen, 64, type);
            at::Tensor dO = randomGradOut(in);
            dO[2].zero_();
            checkGradients(in, layout, masks, dO);
        }
}

TEST(CudaBackward, KeyPaddingMulAndAttentionMasks)
{
    SKIP_WITHOUT_CUDA();
    for (std::int64_t seqLen : { std::int64_t(1040), std::int64_t(2048) }) {
        SCOPED_TRACE("L " + std::to_string(seqLen));
        const Layout layout = modeLayout(SparsityMode::BigBird, 16, seqLen, 3, true);
        const auto options = at::TensorOptions().device(at::kCUDA);
        at::manual_seed(nextSeed());
        // Key padding "mul" with a fully padded batch (its rows attend nothing: zero gradients), and an attention
        // mask "mul" with rows whose every key is excluded.
        at::Tensor padding = at::ones({ 3, seqLen }, options);
        padding[0].slice(0, seqLen - 300).zero_();
        padding[2].zero_();
        at::Tensor keepMask = at::rand({ seqLen, seqLen }, options).gt(0.3);
        keepMask.slice(0, 5, 9).zero_();
        AttentionMasks mul;
        mul.keyPadding = padding;
        mul.keyPaddingMode = MaskMode::Mul;
        mul.attention = keepMask;
        mul.attentionMode = MaskMode::Mul;
        const Inputs in = randomInputs(3, 3, seqLen, 64, at::kHalf);
        const Grads grads = checkGradients(in, layout, mul, randomGradOut(in));
        EXPECT_EQ(grads.q[2].abs().max().item<float>(), 0.0f);
        EXPECT_EQ(grads.k[2].abs().max().item<float>(), 0.0f);

        // An additive attention mask with key padding "mul".
        AttentionMasks add;
        add.attention = at::randn({ seqLen, seqLen }, options) * 2.0;
        add.attentionMode = MaskMode::Add;
        add.keyPadding = padding;
        add.keyPaddingMode = MaskMode::Mul;
        checkGradients(randomInputs(3, 3, seqLen, 128, at::kBFloat16), layout, add);
        checkGradients(randomInputs(3, 3, seqLen, 32, at::kHalf), layout, add);
    }
}

TEST(CudaBackward, EmptyRowsAndColumnsGetZeroGradients)
{
    SKIP_WITHOUT_CUDA();
    std::mt19937 rng(5);
    for (int block : { 16, 32, 64, 128 }) {
        Layout layout;
        layout.numHeads = 3;
        layout.block = block;
        layout.numBlocks = int(oddLength(block) / block);
        layout.mask.resize(std::size_t(3) * layout.numBlocks * layout.numBlocks);
        std::bernoulli_distribution on(0.35);
        for (auto& m : layout.mask)
            m = on(rng);
        for (int i = 0; i < layout.numBlocks; ++i) {
            layout.mask[layout.index(1, 2, i)] = 0; // head 1: row block 2 attends nothing
            layout.mask[layout.index(2, i, 1)] = 0; // head 2: nothing attends column block 1
        }
        layout.source.assign(layout.mask.size(), BlockSource::Random);
        SCOPED_TRACE("block " + std::to_string(block));
        const Inputs in = randomInputs(2, 3, layout.seqLen(), 64, at::kBFloat16);
        const Grads grads = checkGradients(in, layout, {}, randomGradOut(in));
        EXPECT_EQ(grads.q.select(1, 1).slice(1, 2 * block, 3 * block).abs().max().item<float>(), 0.0f);
        EXPECT_EQ(grads.k.select(1, 2).slice(1, block, 2 * block).abs().max().item<float>(), 0.0f);
        EXPECT_EQ(grads.v.select(1, 2).slice(1, block, 2 * block).abs().max().item<float>(), 0.0f);
    }
}

TEST(CudaBackward, Float32AndStridedInputs)
{
    SKIP_WITHOUT_CUDA();
    const std::int64_t seqLen = 576;
    const Layout layout = modeLayout(SparsityMode::Fixed, 64, seqLen, 3);
    checkGradients(randomInputs(2, 3, seqLen, 64, at::kFloat), layout, {});
    // [B, L, H, D] storage viewed as [B, H, L, D], as the encoder's stacked projection gives them.
    at::manual_seed(nextSeed());
    const auto options = at::TensorOptions().dtype(at::kBFloat16).device(at::kCUDA);
    const Inputs in { at::randn({ 2, seqLen, 3, 64 }, options).transpose(1, 2),
        at::randn({ 2, seqLen, 3, 64 }, options).transpose(1, 2),
        at::randn({ 2, seqLen, 3, 64 }, options).transpose(1, 2) };
    ASSERT_FALSE(in.q.is_contiguous());
    checkGradients(in, layout, {}, randomGradOut(in).transpose(2, 3).contiguous().transpose(2, 3));
}

TEST(CudaBackward, GradientsAreBitReproducible)
{
    SKIP_WITHOUT_CUDA();
    // Split global rows and columns (their partial sums are added by whichever CTA finishes last) and masks.
    const std::int64_t seqLen = 4096;
    const Layout layout = modeLayout(SparsityMode::BigBird, 16, seqLen, 4, true);
    const Inputs in = randomInputs(2, 4, seqLen, 64, at::kBFloat16);
    const at::Tensor dO = randomGradOut(in);
    AttentionMasks masks;
    masks.keyPadding = at::ones({ 2, seqLen }, at::TensorOptions().device(at::kCUDA));
    masks.keyPadding->slice(1, seqLen - 100).zero_();
    masks.keyPaddingMode = MaskMode::Mul;
    const double scale = 0.125;
    for (const AttentionMasks& m : { AttentionMasks {}, masks }) {
        const AttentionWithStats forward = cudaBlockSparseAttentionWithStats(in.q, in.k, in.v, layout, m, scale);
        const AttentionGradients first = cudaBlockSparseAttentionBackward(
            dO, in.q, in.k, in.v, forward.output, forward.logSumExp, layout, m, scale);
        for (int run = 0; run < 3; ++run) {
            const AttentionGradients again = cudaBlockSparseAttentionBackward(
                dO, in.q, in.k, in.v, forward.output, forward.logSumExp, layout, m, scale);
            EXPECT_TRUE(at::equal(first.query, again.query)) << "run " << run;
            EXPECT_TRUE(at::equal(first.key, again.key)) << "run " << run;
            EXPECT_TRUE(at::equal(first.value, again.value)) << "run " << run;
        }
    }
}

TEST(CudaBackward, ForwardStatisticsAreTheRowsLogSumExp)
{
    SKIP_WITHOUT_CUDA();
    // Split query tiles (L = 2048, global row) merge their pieces' statistics; masked and unmasked kernels.
    const std::int64_t seqLen = 2048;
    const Layout layout = modeLayout(SparsityMode::BSLongformer, 16, seqLen, 3);
    const Inputs in = randomInputs(2, 3, seqLen, 64, at::kHalf);
    AttentionMasks masks;
    masks.keyPadding = at::ones({ 2, seqLen }, at::TensorOptions().device(at::kCUDA));
    masks.keyPadding->select(0, 1).zero_(); // batch 1 attends nothing: -inf
    masks.keyPaddingMode = MaskMode::Mul;
    const double scale = 0.125;
    for (const AttentionMasks& m : { AttentionMasks {}, masks }) {
        const AttentionWithStats ours = cudaBlockSparseAttentionWithStats(in.q, in.k, in.v, layout, m, scale);
        const at::Tensor plain = cudaBlockSparseAttention(in.q, in.k, in.v, layout, m, scale);
        EXPECT_TRUE(at::equal(ours.output, plain)) << "asking for statistics changed the output";
        const test::MaskTerms terms = test::maskTerms(layout, m, at::kFloat, in.q.device());
        const at::Tensor scores = at::matmul(in.q.to(at::kFloat), in.k.to(at::kFloat).transpose(-1, -2))
                                      .mul(scale)
                                      .masked_fill(terms.keep.logical_not(), -std::numeric_limits<double>::infinity());
        const at::Tensor expected = at::logsumexp(scores, -1);
        ASSERT_EQ(ours.logSumExp.sizes(), expected.sizes());
        EXPECT_TRUE(at::equal(ours.logSumExp.isinf(), expected.isinf()));
        const at::Tensor finite = expected.isfinite();
        EXPECT_LT(
            (ours.logSumExp.masked_select(finite) - expected.masked_select(finite)).abs().max().item<double>(), 2e-3);
    }
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

TEST(CudaBackward, BadArgumentsAreNamed)
{
    SKIP_WITHOUT_CUDA();
    const Layout layout = modeLayout(SparsityMode::BSLongformer, 16, 112, 3);
    const Inputs in = randomInputs(1, 3, 112, 64, at::kHalf);
    const AttentionWithStats f = cudaBlockSparseAttentionWithStats(in.q, in.k, in.v, layout, {}, 0.125);
    EXPECT_EQ(errorOf([&] {
        cudaBlockSparseAttentionBackward(
            in.q, in.q, in.k, in.v, f.output, f.logSumExp.to(at::kDouble), layout, {}, 0.125);
    }),
        "attention backward: logSumExp must be float32 [1, 3, 112] on cuda:0");
    EXPECT_EQ(errorOf([&] {
        cudaBlockSparseAttentionBackward(
            in.q.slice(2, 0, 96), in.q, in.k, in.v, f.output, f.logSumExp, layout, {}, 0.125);
    }),
        "attention backward: gradient of the output has shape [1, 3, 96, 64], query has [1, 3, 112, 64]");
}

} // namespace
} // namespace spw
