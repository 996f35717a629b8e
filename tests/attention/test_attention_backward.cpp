// blockSparseAttentionWithStats() and blockSparseAttentionBackward() on CPU against autograd through the dense
// reference (dense_reference.h) in float64: outputs, log-sum-exps and the gradients of query, key and value over
// hand-built layouts (dense, bands, random per head, heads sharing a layout with an empty row block), with key
// padding and attention masks in both modes, including masks that exclude whole rows (zero gradients) and
// HuggingFace's dtype-minimum padding over whole layout rows; float32 and bfloat16 against the float64 reference;
// the backward's argument errors.
#include "attention/block_sparse_attention.h"
#include "common/error.h"
#include "dense_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

using namespace spw;
using namespace spw::test;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Problem {
    at::Tensor q, k, v, gradOut;
};

Problem randomProblem(std::int64_t batch, std::int64_t heads, std::int64_t seqLen, std::int64_t headDim,
    at::ScalarType type, std::uint64_t seed)
{
    at::manual_seed(seed);
    const auto options = at::TensorOptions().dtype(type);
    const std::vector<std::int64_t> shape { batch, heads, seqLen, headDim };
    return { at::randn(shape, options), at::randn(shape, options), at::randn(shape, options),
        at::randn(shape, options) };
}

double maxAbsDifference(const at::Tensor& a, const at::Tensor& b)
{
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

// Autograd through the dense reference: the output, each row's log-sum-exp and the three gradients.
struct Reference {
    at::Tensor output, logSumExp, dq, dk, dv;
};

Reference referenceFor(const Problem& p, const Layout& layout, const AttentionMasks& masks, double scale)
{
    const at::Tensor q = p.q.to(at::kDouble).detach().requires_grad_(true);
    const at::Tensor k = p.k.to(at::kDouble).detach().requires_grad_(true);
    const at::Tensor v = p.v.to(at::kDouble).detach().requires_grad_(true);
    AttentionMasks doubleMasks = masks;
    if (masks.keyPadding && masks.keyPadding->is_floating_point())
        doubleMasks.keyPadding = masks.keyPadding->to(at::kDouble);
    if (masks.attention && masks.attention->is_floating_point())
        doubleMasks.attention = masks.attention->to(at::kDouble);
    const at::Tensor output = denseReference(q, k, v, layout, doubleMasks, scale);
    output.backward(p.gradOut.to(at::kDouble));
    const at::Tensor logSumExp = at::logsumexp(denseMaskedScores(q, k, layout, doubleMasks, scale), { -1 });
    return { output.detach(), logSumExp.detach(), q.grad(), k.grad(), v.grad() };
}

Layout sharedAndEmptyRowLayout()
{
    // Heads 0 and 2 share one layout with an empty row block 1; head 1 has another.
    Layout layout = bandLayout(3, 5, 16, 1, false);
    for (const int head : { 0, 2 })
        for (int col = 0; col < layout.numBlocks; ++col)
            layout.mask[layout.index(head, 1, col)] = 0;
    layout.mask[layout.index(1, 4, 0)] = 1;
    return layout;
}

struct LayoutCase {
    std::string name;
    std::int64_t batch;
    std::int64_t headDim;
    Layout layout;
};

std::vector<LayoutCase> layoutCases()
{
    return {
        { "dense_b16_d40", 3, 40, denseLayout(5, 4, 16) },
        { "band_b16_d24", 3, 24, bandLayout(5, 6, 16, 1, false) },
        { "band_global_b32_d16", 1, 16, bandLayout(3, 5, 32, 1, true) },
        { "random_per_head_b16_d32", 3, 32, randomLayout(3, 8, 16, 0.35, 5) },
        { "shared_and_empty_row_b16_d20", 3, 20, sharedAndEmptyRowLayout() },
    };
}

// The masks of one case, made for batch and seq_len.
using MaskMaker = std::function<AttentionMasks(std::int64_t batch, std::int64_t seqLen)>;

struct MaskCase {
    std::string name;
    MaskMaker make;
};

at::Tensor trailingPadding(std::int64_t batch, std::int64_t seqLen, double keep, double exclude)
{
    at::Tensor mask = at::full({ batch, seqLen }, keep, at::kDouble);
    for (std::int64_t b = 0; b < batch; ++b) {
        const std::int64_t padded = (b * 37 + 5) % seqLen; // batch 1 pads most keys, batch 0 only a few
        mask[b].narrow(0, seqLen - padded, padded).fill_(exclude);
    }
    return mask;
}

std::vector<MaskCase> maskCases()
{
    const double lowest = std::numeric_limits<double>::lowest();
    return {
        { "no_masks", [](std::int64_t, std::int64_t) { return AttentionMasks {}; } },
        // HuggingFace's extended mask: with long padding, whole layout rows see only padded keys.
        { "padding_add_dtype_minimum",
            [lowest](std::int64_t b, std::int64_t l) {
                return AttentionMasks { trailingPadding(b, l, 0, lowest), MaskMode::Add, std::nullopt, MaskMode::Mul };
            } },
        { "padding_add_minus_inf",
            [](std::int64_t b, std::int64_t l) {
                return AttentionMasks { trailingPadding(b, l, 0, -kInf), MaskMode::Add, std::nullopt, MaskMode::Mul };
            } },
        { "padding_mul_with_a_fully_excluded_batch",
            [](std::int64_t b, std::int64_t l) {
                at::Tensor mask = trailingPadding(b, l, 1, 0).to(at::kLong);
                if (b > 1)
                    mask[b - 1].fill_(0);
                return AttentionMasks { mask, MaskMode::Mul, std::nullopt, MaskMode::Mul };
            } },
        { "attention_mul_causal",
            [](std::int64_t, std::int64_t l) {
                return AttentionMasks { std::nullopt, MaskMode::Add, at::ones({ l, l }, at::kBool).tril(),
                    MaskMode::Mul };
            } },
        { "attention_add_with_padding_mul",
            [](std::int64_t b, std::int64_t l) {
                at::manual_seed(99);
                return AttentionMasks { trailingPadding(b, l, 1, 0), MaskMode::Mul, at::randn({ l, l }, at::kDouble),
                    MaskMode::Add };
            } },
    };
}

class BackwardTest : public ::testing::TestWithParam<std::tuple<std::size_t, std::size_t>> { };

TEST_P(BackwardTest, MatchesAutogradThroughTheDenseReference)
{
    const LayoutCase c = layoutCases()[std::get<0>(GetParam())];
    const MaskCase m = maskCases()[std::get<1>(GetParam())];
    const std::int64_t seqLen = c.layout.seqLen();
    const Problem p = randomProblem(c.batch, c.layout.numHeads, seqLen, c.headDim, at::kDouble, 17);
    const AttentionMasks masks = m.make(c.batch, seqLen);
    const double scale = 1.0 / std::sqrt(double(c.headDim));

    const Reference expected = referenceFor(p, c.layout, masks, scale);
    const AttentionWithStats forward = blockSparseAttentionWithStats(p.q, p.k, p.v, c.layout, masks);
    ASSERT_EQ(forward.logSumExp.scalar_type(), at::kDouble);
    ASSERT_EQ(forward.logSumExp.sizes(), at::IntArrayRef({ c.batch, c.layout.numHeads, seqLen }));
    EXPECT_LT(maxAbsDifference(forward.output, expected.output), 1e-10);
    // Rows that attend nothing: -inf in both; elsewhere the same finite value (relative: dtype-minimum rows sit near
    // -1.8e308).
    EXPECT_TRUE(at::equal(at::isinf(forward.logSumExp), at::isinf(expected.logSumExp)));
    const at::Tensor finite = at::isfinite(expected.logSumExp);
    const at::Tensor relative = (forward.logSumExp.masked_select(finite) - expected.logSumExp.masked_select(finite))
                                    .abs()
                                    .div(expected.logSumExp.masked_select(finite).abs().clamp_min(1.0));
    const std::int64_t worst = relative.argmax().item<std::int64_t>();
    EXPECT_LT(relative.max().item<double>(), 1e-12)
        << "worst row: log-sum-exp " << forward.logSumExp.masked_select(finite)[worst].item<double>() << ", reference "
        << expected.logSumExp.masked_select(finite)[worst].item<double>();

    const AttentionGradients gradients
        = blockSparseAttentionBackward(p.gradOut, p.q, p.k, p.v, forward.output, forward.logSumExp, c.layout, masks);
    EXPECT_LT(maxAbsDifference(gradients.query, expected.dq), 1e-10) << "query";
    EXPECT_LT(maxAbsDifference(gradients.key, expected.dk), 1e-10) << "key";
    EXPECT_LT(maxAbsDifference(gradients.value, expected.dv), 1e-10) << "value";
    // The test must be able to fail: the gradients are not all zero.
    EXPECT_GT(expected.dq.abs().max().item<double>(), 1e-3);
}

INSTANTIATE_TEST_SUITE_P(LayoutsAndMasks, BackwardTest,
    ::testing::Combine(
        ::testing::Range<std::size_t>(0, layoutCases().size()), ::testing::Range<std::size_t>(0, maskCases().size())),
    [](const ::testing::TestParamInfo<BackwardTest::ParamType>& info) {
        return layoutCases()[std::get<0>(info.param)].name + "__" + maskCases()[std::get<1>(info.param)].name;
    });

TEST(AttentionBackward, RowsThatAttendNothingGetZeroGradients)
{
    const Layout layout = sharedAndEmptyRowLayout();
    const Problem p = randomProblem(2, 3, layout.seqLen(), 16, at::kDouble, 3);
    at::Tensor padding = at::ones({ 2, layout.seqLen() }, at::kLong);
    padding[1].fill_(0); // batch 1 attends nothing at all
    const AttentionMasks masks { padding, MaskMode::Mul, std::nullopt, MaskMode::Mul };
    const AttentionWithStats forward = blockSparseAttentionWithStats(p.q, p.k, p.v, layout, masks);
    const AttentionGradients g
        = blockSparseAttentionBackward(p.gradOut, p.q, p.k, p.v, forward.output, forward.logSumExp, layout, masks);
    for (const at::Tensor& gradient : { g.query, g.key, g.value })
        EXPECT_EQ(gradient[1].abs().max().item<double>(), 0.0);
    EXPECT_TRUE(at::isinf(forward.logSumExp[1]).all().item<bool>());
    // Heads 0 and 2, row block 1 (tokens 16..31): no layout column.
    for (const int head : { 0, 2 }) {
        EXPECT_EQ(g.query[0][head].narrow(0, 16, 16).abs().max().item<double>(), 0.0);
        EXPECT_EQ(forward.output[0][head].narrow(0, 16, 16).abs().max().item<double>(), 0.0);
    }
    EXPECT_GT(g.query[0][1].narrow(0, 16, 16).abs().max().item<double>(), 0.0);
}

// float32 is computed in float32, bfloat16 in float32 and returned in bfloat16: both near the float64 reference.
TEST(AttentionBackward, LowerPrecisionsFollowTheFloat64Reference)
{
    const Layout layout = randomLayout(3, 6, 16, 0.4, 23);
    const Problem p = randomProblem(3, 3, layout.seqLen(), 32, at::kDouble, 8);
    const AttentionMasks masks { trailingPadding(3, layout.seqLen(), 1, 0), MaskMode::Mul, std::nullopt,
        MaskMode::Mul };
    const Reference expected = referenceFor(p, layout, masks, 1.0 / std::sqrt(32.0));
    for (const auto& [type, tolerance] : { std::pair { at::kFloat, 1e-4 }, std::pair { at::kBFloat16, 6e-2 } }) {
        const auto cast = [type = type](const at::Tensor& t) { return t.to(type); };
        const AttentionWithStats forward
            = blockSparseAttentionWithStats(cast(p.q), cast(p.k), cast(p.v), layout, masks);
        EXPECT_EQ(forward.output.scalar_type(), type);
        EXPECT_EQ(forward.logSumExp.scalar_type(), at::kFloat);
        const AttentionGradients g = blockSparseAttentionBackward(
            cast(p.gradOut), cast(p.q), cast(p.k), cast(p.v), forward.output, forward.logSumExp, layout, masks);
        for (const auto& [got, want, name] : { std::tuple { g.query, expected.dq, "query" },
                 std::tuple { g.key, expected.dk, "key" }, std::tuple { g.value, expected.dv, "value" } }) {
            EXPECT_EQ(got.scalar_type(), type) << name;
            const double scaleOf = want.abs().max().item<double>();
            EXPECT_LT(maxAbsDifference(got, want) / scaleOf, tolerance) << c10::toString(type) << " " << name;
        }
    }
}

void expectBackwardError(const std::function<void()>& call, const std::string& fragment)
{
    try {
        call();
        ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(AttentionBackward, ArgumentErrorsNameTheTensor)
{
    const Layout layout = bandLayout(2, 3, 16, 1, false);
    const Problem p = randomProblem(2, 2, layout.seqLen(), 16, at::kFloat, 1);
    const AttentionWithStats f = blockSparseAttentionWithStats(p.q, p.k, p.v, layout);
    expectBackwardError(
        [&] { blockSparseAttentionBackward(p.gradOut.narrow(2, 0, 16), p.q, p.k, p.v, f.output, f.logSumExp, layout); },
        "grad_output has shape");
    expectBackwardError(
        [&] { blockSparseAttentionBackward(p.gradOut.to(at::kDouble), p.q, p.k, p.v, f.output, f.logSumExp, layout); },
        "grad_output has dtype");
    expectBackwardError(
        [&] { blockSparseAttentionBackward(p.gradOut, p.q, p.k, p.v, at::Tensor(), f.logSumExp, layout); },
        "output is undefined");
    expectBackwardError(
        [&] { blockSparseAttentionBackward(p.gradOut, p.q, p.k, p.v, f.output, f.logSumExp.unsqueeze(-1), layout); },
        "log_sum_exp must be [batch, heads, seq_len]");
    expectBackwardError(
        [&] { blockSparseAttentionBackward(p.gradOut, p.q, p.k, p.v, f.output, f.logSumExp.to(at::kDouble), layout); },
        "log_sum_exp has dtype");
    expectBackwardError(
        [&] { blockSparseAttentionBackward(p.gradOut, p.q, p.k.narrow(3, 0, 8), p.v, f.output, f.logSumExp, layout); },
        "key has shape");
}

} // namespace
