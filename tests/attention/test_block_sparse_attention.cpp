// blockSparseAttention() on CPU against the dense reference (dense_reference.h) over hand-built layouts: dense,
// diagonal bands, random per-head layouts, layouts with empty row blocks; with key padding and attention masks in
// both modes; odd batch and head counts; head_dim 40 and 64; blocks 16, 32, 64; float64, float32, float16,
// bfloat16.
#include "attention/block_sparse_attention.h"
#include "dense_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

using namespace spw;
using namespace spw::test;

namespace {

struct Inputs {
    at::Tensor q, k, v;
};

Inputs randomInputs(std::int64_t batch, std::int64_t heads, std::int64_t seqLen, std::int64_t headDim,
    at::ScalarType type, std::uint64_t seed)
{
    at::manual_seed(seed);
    const auto options = at::TensorOptions().dtype(type);
    return { at::randn({ batch, heads, seqLen, headDim }, options),
        at::randn({ batch, heads, seqLen, headDim }, options), at::randn({ batch, heads, seqLen, headDim }, options) };
}

double maxAbsDifference(const at::Tensor& a, const at::Tensor& b)
{
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

double defaultScale(const at::Tensor& q)
{
    return 1.0 / std::sqrt(double(q.size(3)));
}

// HuggingFace's extended key padding mask: 0 for real tokens, the dtype's minimum for the last `padded[b]` tokens.
at::Tensor additivePadding(std::int64_t batch, std::int64_t seqLen, at::ScalarType type)
{
    at::Tensor mask = at::zeros({ batch, seqLen }, at::TensorOptions().dtype(type));
    const double lowest
        = type == at::kDouble ? std::numeric_limits<double>::lowest() : double(std::numeric_limits<float>::lowest());
    for (std::int64_t b = 0; b < batch; ++b)
        mask[b].narrow(0, seqLen - (b * 7 + 3) % (seqLen / 2) - 1, (b * 7 + 3) % (seqLen / 2) + 1).fill_(lowest);
    return mask;
}

struct LayoutCase {
    std::string name;
    std::int64_t batch;
    int heads;
    int numBlocks;
    int block;
    std::int64_t headDim;
    Layout layout;
};

std::vector<LayoutCase> layoutCases()
{
    return {
        { "dense_b16_d40", 3, 5, 4, 16, 40, denseLayout(5, 4, 16) },
        { "dense_b32_d64", 1, 3, 3, 32, 64, denseLayout(3, 3, 32) },
        { "band_b16_d40", 3, 5, 6, 16, 40, bandLayout(5, 6, 16, 1, false) },
        { "band_global_b64_d64", 3, 5, 8, 64, 64, bandLayout(5, 8, 64, 1, true) },
        { "random_per_head_b16_d64", 3, 3, 8, 16, 64, randomLayout(3, 8, 16, 0.35, 7) },
        { "random_per_head_b32_d40", 1, 5, 5, 32, 40, randomLayout(5, 5, 32, 0.5, 11) },
        { "diagonal_b64_d40", 1, 1, 3, 64, 40, bandLayout(1, 3, 64, 0, false) },
    };
}

// A layout where heads 0 and 2 share one layout (with an empty row block 1) and head 1 has another: the heads of
// a group are not contiguous, and one row computes nothing.
Layout sharedAndEmptyRowLayout()
{
    Layout layout = bandLayout(3, 5, 16, 1, false);
    for (int h : { 0, 2 })
        for (int c = 0; c < layout.numBlocks; ++c)
            layout.mask[layout.index(h, 1, c)] = 0;
    layout.mask[layout.index(1, 4, 0)] = 1;
    return layout;
}

} // namespace

TEST(BlockSparseAttention, MatchesDenseReferenceInFloat64)
{
    for (const LayoutCase& c : layoutCases()) {
        SCOPED_TRACE(c.name);
        const Inputs in = randomInputs(c.batch, c.heads, c.layout.seqLen(), c.headDim, at::kDouble, 1);
        const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, c.layout);
        EXPECT_EQ(out.scalar_type(), at::kDouble);
        EXPECT_EQ(out.sizes(), in.q.sizes());
        EXPECT_LT(maxAbsDifference(out, denseReference(in.q, in.k, in.v, c.layout, {}, defaultScale(in.q))), 1e-10);
    }
}

TEST(BlockSparseAttention, MatchesDenseReferenceInFloat32)
{
    for (const LayoutCase& c : layoutCases()) {
        SCOPED_TRACE(c.name);
        const Inputs in = randomInputs(c.batch, c.heads, c.layout.seqLen(), c.headDim, at::kFloat, 2);
        const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, c.layout);
        EXPECT_EQ(out.scalar_type(), at::kFloat);
        EXPECT_LT(maxAbsDifference(out, denseReference(in.q, in.k, in.v, c.layout, {}, defaultScale(in.q))), 1e-5);
    }
}

TEST(BlockSparseAttention, DenseLayoutEqualsPlainSoftmaxAttention)
{
    for (int block : { 16, 32, 64 }) {
        for (std::int64_t headDim : { 40, 64 }) {
            SCOPED_TRACE("block " + std::to_string(block) + " head_dim " + std::to_string(headDim));
            const Layout layout = denseLayout(3, 3, block);
            const Inputs f64 = randomInputs(3, 3, layout.seqLen(), headDim, at::kDouble, 3);
            EXPECT_LT(maxAbsDifference(blockSparseAttention(f64.q, f64.k, f64.v, layout),
                          plainAttention(f64.q, f64.k, f64.v, defaultScale(f64.q))),
                1e-6);
            const Inputs f32 = randomInputs(3, 3, layout.seqLen(), headDim, at::kFloat, 4);
            EXPECT_LT(maxAbsDifference(blockSparseAttention(f32.q, f32.k, f32.v, layout),
                          plainAttention(f32.q, f32.k, f32.v, defaultScale(f32.q))),
                1e-5);
        }
    }
}

TEST(BlockSparseAttention, ExplicitScale)
{
    const Layout layout = bandLayout(3, 4, 16, 1, true);
    const Inputs in = randomInputs(1, 3, layout.seqLen(), 40, at::kDouble, 5);
    const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout, {}, 0.3);
    EXPECT_LT(maxAbsDifference(out, denseReference(in.q, in.k, in.v, layout, {}, 0.3)), 1e-10);
    // A different scale gives a different output: the argument is used.
    EXPECT_GT(maxAbsDifference(out, blockSparseAttention(in.q, in.k, in.v, layout)), 1e-3);
}

TEST(BlockSparseAttention, NonContiguousInputs)
{
    // Models produce Q, K, V as [batch, seq_len, heads, head_dim] viewed as [batch, heads, seq_len, head_dim].
    const Layout layout = randomLayout(3, 4, 16, 0.5, 5);
    at::manual_seed(6);
    const at::Tensor q = at::randn({ 3, layout.seqLen(), 3, 40 }, at::kDouble).transpose(1, 2);
    const at::Tensor k = at::randn({ 3, layout.seqLen(), 3, 40 }, at::kDouble).transpose(1, 2);
    const at::Tensor v = at::randn({ 3, layout.seqLen(), 3, 40 }, at::kDouble).transpose(1, 2);
    ASSERT_FALSE(q.is_contiguous());
    EXPECT_LT(maxAbsDifference(
                  blockSparseAttention(q, k, v, layout), denseReference(q, k, v, layout, {}, 1.0 / std::sqrt(40.0))),
        1e-10);
}

TEST(BlockSparseAttention, KeyPaddingMaskAddMode)
{
    for (auto type : { at::kDouble, at::kFloat }) {
        const Layout layout = bandLayout(5, 6, 16, 1, true);
        const Inputs in = randomInputs(3, 5, layout.seqLen(), 40, type, 7);
        AttentionMasks masks;
        masks.keyPadding = additivePadding(3, layout.seqLen(), type);
        const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout, masks);
        const at::Tensor expected = denseReference(in.q, in.k, in.v, layout, masks, defaultScale(in.q));
        EXPECT_LT(maxAbsDifference(out, expected), type == at::kDouble ? 1e-10 : 1e-5);
        // The mask matters: without it the output differs.
        EXPECT_GT(maxAbsDifference(out, blockSparseAttention(in.q, in.k, in.v, layout)), 1e-3);
    }
}

TEST(BlockSparseAttention, KeyPaddingMaskMulMode)
{
    const Layout layout = randomLayout(3, 6, 16, 0.6, 9);
    const Inputs in = randomInputs(3, 3, layout.seqLen(), 64, at::kDouble, 8);
    AttentionMasks masks;
    masks.keyPadding = (at::rand({ 3, layout.seqLen() }, at::kDouble) > 0.3).to(at::kLong);
    masks.keyPaddingMode = MaskMode::Mul;
    const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout, masks);
    EXPECT_LT(maxAbsDifference(out, denseReference(in.q, in.k, in.v, layout, masks, defaultScale(in.q))), 1e-10);
    EXPECT_GT(maxAbsDifference(out, blockSparseAttention(in.q, in.k, in.v, layout)), 1e-3);
}

TEST(BlockSparseAttention, AttentionMaskBothModesWithKeyPadding)
{
    const Layout layout = sharedAndEmptyRowLayout();
    const std::int64_t seqLen = layout.seqLen();
    for (auto type : { at::kDouble, at::kFloat }) {
        const Inputs in = randomInputs(3, 3, seqLen, 40, type, 10);
        AttentionMasks mul;
        mul.attention = at::rand({ seqLen, seqLen }, at::kDouble) > 0.25; // bool, DeepSpeed's default "mul"
        mul.keyPadding = additivePadding(3, seqLen, type);
        AttentionMasks add;
        add.attention = at::randn({ seqLen, seqLen }, at::TensorOptions().dtype(type)) * 2;
        add.attentionMode = MaskMode::Add;
        add.keyPadding = (at::rand({ 3, seqLen }, at::kDouble) > 0.2).to(type);
        add.keyPaddingMode = MaskMode::Mul;
        for (const AttentionMasks& masks : { mul, add }) {
            SCOPED_TRACE(masks.attentionMode == MaskMode::Add ? "attn add" : "attn mul");
            const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout, masks);
            EXPECT_LT(maxAbsDifference(out, denseReference(in.q, in.k, in.v, layout, masks, defaultScale(in.q))),
                type == at::kDouble ? 1e-10 : 1e-5);
            AttentionMasks paddingOnly = masks;
            paddingOnly.attention.reset();
            EXPECT_GT(maxAbsDifference(out, blockSparseAttention(in.q, in.k, in.v, layout, paddingOnly)), 1e-3);
        }
    }
}

// Rows whose every column is excluded. Documented behaviour (block_sparse_attention.h):
// - an empty layout row block: output 0;
// - mul-mode masks excluding every column of a row: output 0 (a dense softmax would give NaN);
// - add-mode with -inf on every column: output 0 (likewise);
// - add-mode with the dtype's finite minimum on every column (HuggingFace's all-padding row): what the dense
//   masked softmax gives, a uniform average of the values over the row's layout columns.
TEST(BlockSparseAttention, EmptyLayoutRowGivesZeros)
{
    const Layout layout = sharedAndEmptyRowLayout();
    const Inputs in = randomInputs(3, 3, layout.seqLen(), 40, at::kDouble, 12);
    const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout);
    for (int h : { 0, 2 })
        EXPECT_EQ(out.select(1, h).narrow(1, 16, 16).abs().max().item<double>(), 0.0);
    EXPECT_GT(out.select(1, 1).narrow(1, 16, 16).abs().max().item<double>(), 0.0);
    EXPECT_FALSE(out.isnan().any().item<bool>());
    EXPECT_LT(maxAbsDifference(out, denseReference(in.q, in.k, in.v, layout, {}, defaultScale(in.q))), 1e-10);
}

TEST(BlockSparseAttention, AllKeysExcludedByMulMaskGivesZeros)
{
    const Layout layout = bandLayout(3, 4, 16, 1, false);
    const Inputs in = randomInputs(3, 3, layout.seqLen(), 40, at::kFloat, 13);
    AttentionMasks masks;
    masks.keyPadding = at::ones({ 3, layout.seqLen() }, at::kInt);
    masks.keyPadding->select(0, 1).zero_(); // batch 1: every key excluded
    masks.keyPaddingMode = MaskMode::Mul;
    const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout, masks);
    EXPECT_EQ(out.select(0, 1).abs().max().item<double>(), 0.0);
    EXPECT_LT(maxAbsDifference(out.select(0, 0), blockSparseAttention(in.q, in.k, in.v, layout).select(0, 0)), 1e-6);
}

TEST(BlockSparseAttention, AllKeysMinusInfinityGivesZeros)
{
    const Layout layout = bandLayout(3, 4, 16, 1, false);
    const Inputs in = randomInputs(3, 3, layout.seqLen(), 40, at::kFloat, 14);
    AttentionMasks masks;
    masks.keyPadding = at::zeros({ 3, layout.seqLen() }, at::kFloat);
    masks.keyPadding->select(0, 2).fill_(-std::numeric_limits<float>::infinity());
    const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout, masks);
    EXPECT_EQ(out.select(0, 2).abs().max().item<double>(), 0.0);
    EXPECT_FALSE(out.isnan().any().item<bool>());
}

TEST(BlockSparseAttention, AllKeysAtDtypeMinimumAverageTheLayoutColumns)
{
    for (auto type : { at::kFloat, at::kDouble }) {
        const Layout layout = bandLayout(3, 4, 16, 1, false);
        const Inputs in = randomInputs(3, 3, layout.seqLen(), 40, type, 15);
        AttentionMasks masks;
        masks.keyPadding = additivePadding(3, layout.seqLen(), type);
        masks.keyPadding->select(0, 0).fill_(
            type == at::kDouble ? std::numeric_limits<double>::lowest() : double(std::numeric_limits<float>::lowest()));
        const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout, masks);
        const double tolerance = type == at::kDouble ? 1e-10 : 1e-5;
        EXPECT_LT(
            maxAbsDifference(out, denseReference(in.q, in.k, in.v, layout, masks, defaultScale(in.q))), tolerance);
        // Row block 0 sees column blocks 0-1 (tokens 0-31): its output is their mean value, for every head.
        const at::Tensor mean = in.v.select(0, 0).narrow(1, 0, 32).mean(1, true); // [H, 1, D]
        EXPECT_LT(maxAbsDifference(out.select(0, 0).narrow(1, 0, 16), mean.expand({ 3, 16, 40 })), tolerance);
    }
}

TEST(BlockSparseAttention, HalfPrecisionComputesInFloat32)
{
    const Layout layout = randomLayout(3, 4, 32, 0.5, 17);
    for (auto type : { at::kHalf, at::kBFloat16 }) {
        const Inputs in = randomInputs(1, 3, layout.seqLen(), 64, at::kFloat, 16);
        const at::Tensor q = in.q.to(type), k = in.k.to(type), v = in.v.to(type);
        AttentionMasks masks;
        masks.keyPadding = additivePadding(1, layout.seqLen(), at::kFloat).clamp_min(-60000).to(type);
        const at::Tensor out = blockSparseAttention(q, k, v, layout, masks);
        EXPECT_EQ(out.scalar_type(), type);
        AttentionMasks masks32 = masks;
        masks32.keyPadding = masks.keyPadding->to(at::kFloat);
        const at::Tensor expected
            = denseReference(q.to(at::kFloat), k.to(at::kFloat), v.to(at::kFloat), layout, masks32, defaultScale(q));
        // Within the rounding of the output to the input's dtype (values are O(1)).
        EXPECT_LT(maxAbsDifference(out, expected), type == at::kHalf ? 4e-3 : 3e-2);
    }
}

TEST(BlockSparseAttention, ChunkedBucketsCoverEveryRow)
{
    // Enough heads and batch that one bucket is split into several steps.
    const Layout layout = bandLayout(5, 16, 64, 2, true);
    const Inputs in = randomInputs(3, 5, layout.seqLen(), 64, at::kFloat, 18);
    const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout);
    EXPECT_LT(maxAbsDifference(out, denseReference(in.q, in.k, in.v, layout, {}, defaultScale(in.q))), 1e-5);
}

TEST(BlockSparseAttention, HugeSequenceWithDiagonalLayoutNeverFormsTheScoreMatrix)
{
    // L = 2^18: the dense score matrix would be 256 GiB in float32. A diagonal layout is attention within each
    // block, which plain attention over one block reproduces.
    const int block = 64;
    const int numBlocks = (1 << 18) / block;
    const Layout layout = bandLayout(1, numBlocks, block, 0, false);
    const Inputs in = randomInputs(1, 1, layout.seqLen(), 8, at::kFloat, 19);
    const at::Tensor out = blockSparseAttention(in.q, in.k, in.v, layout);
    for (std::int64_t b : { std::int64_t(0), std::int64_t(1234), std::int64_t(numBlocks - 1) }) {
        const auto slice = [&](const at::Tensor& t) { return t.narrow(2, b * block, block); };
        EXPECT_LT(
            maxAbsDifference(slice(out), plainAttention(slice(in.q), slice(in.k), slice(in.v), 1.0 / std::sqrt(8.0))),
            1e-5);
    }
}

TEST(BlockSparseAttention, EmptyBatch)
{
    const Layout layout = denseLayout(2, 2, 16);
    const Inputs in = randomInputs(0, 2, layout.seqLen(), 40, at::kFloat, 20);
    EXPECT_EQ(blockSparseAttention(in.q, in.k, in.v, layout).sizes(), in.q.sizes());
}
