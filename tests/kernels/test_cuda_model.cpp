// The whole encoder on CUDA against the same weights on the CPU: every layer block-sparse through the CUDA kernels
// (q, k and v as strided views of one stacked projection, the output written in [B, L, H, D] memory) or dense
// through SDPA, in float16 and float32, with padded rows (masked kernels) and without a mask (unmasked kernels),
// at a length that is not a multiple of the block (pad_to_block_size / unpad). The CPU path is itself checked
// against transformers and an explicit-softmax reference (tests/model, tests/convert).
#include "common/error.h"
#include "convert/model_conversion.h"
#include "convert/padded_run.h"
#include "model/create_model.h"
#include "profile/profile_model.h"

#include <ATen/cuda/CUDAContext.h>
#include <gtest/gtest.h>

#include <optional>

namespace spw {
namespace {

bool haveCudaDevice()
{
    return at::hasCUDA() && at::cuda::getNumGPUs() > 0;
}

struct ModelCase {
    const char* name;
    ModelFamily family;
    std::int64_t hidden, heads; // head dim 64 and 32: both kernel instances
    std::optional<SparsityMode> sparse; // unset: dense (SDPA on CUDA, eager on the CPU)
    int block;
};

// Weights drawn wider than transformers' 0.02 so that attention is far from uniform and a layout, a wrong key
// set or a wrong head order changes the outputs well beyond half-precision rounding.
std::unique_ptr<EncoderModel> baseModel(const ModelCase& c)
{
    CreateModelOptions shape;
    shape.family = c.family;
    shape.layers = 2;
    shape.hidden = c.hidden;
    shape.heads = c.heads;
    shape.intermediate = 2 * c.hidden;
    shape.maxPosition = 256;
    shape.vocab = 2000;
    return EncoderModel::randomlyInitialized(makeNewModelConfig(shape), 11, 0.08);
}

std::unique_ptr<EncoderModel> onDevice(const EncoderModel& base, const ModelCase& c, const LoadOptions& options)
{
    std::unique_ptr<EncoderModel> model = bareEncoder(base, options);
    if (c.sparse) {
        SparsityConfig config = defaultsFor(*c.sparse);
        config.block = c.block;
        replaceSelfAttention(*model, config, 5);
    }
    return model;
}

// Two rows of 200 tokens (not a multiple of any block); with padding, row 1 ends in 57 padding tokens.
ModelInputs inputs(const EncoderModel& model, bool padded)
{
    const std::int64_t length = 200;
    at::Tensor ids = at::randint(3, model.config().vocabSize, { 2, length }, at::kLong);
    ModelInputs result { ids, std::nullopt, std::nullopt, std::nullopt };
    if (padded) {
        at::Tensor mask = at::ones({ 2, length }, at::kLong);
        mask[1].narrow(0, 143, 57).zero_();
        ids[1].narrow(0, 143, 57).fill_(model.config().padTokenId);
        result.attentionMask = mask;
    }
    return result;
}

// Largest difference over the real tokens (padding queries may legitimately differ).
double realTokenDifference(const at::Tensor& a, const at::Tensor& b, const ModelInputs& in)
{
    at::Tensor keep
        = in.attentionMask ? in.attentionMask->to(at::kBool) : at::ones({ a.size(0), a.size(1) }, at::kBool);
    return (a - b).abs().masked_select(keep.unsqueeze(-1).expand_as(a)).max().item<double>();
}

class CudaModel : public ::testing::TestWithParam<ModelCase> { };

TEST_P(CudaModel, MatchesTheCpuForward)
{
    if (!haveCudaDevice())
        GTEST_SKIP() << "no CUDA device";
    const ModelCase& c = GetParam();
    const auto base = baseModel(c);
    const auto cpu = onDevice(*base, c, {});
    ModelCase denseCase = c;
    denseCase.sparse.reset();
    const auto cpuDense = onDevice(*base, denseCase, {});
    at::manual_seed(3);
    for (bool padded : { true, false }) {
        SCOPED_TRACE(padded ? "padded rows" : "no attention mask");
        const ModelInputs in = inputs(*cpu, padded);
        const at::Tensor expected = runPadded(*cpu, in).lastHiddenState;
        // The case must be able to fail: its attention differs from dense attention by far more than the tolerance.
        const double layoutEffect = realTokenDifference(runPadded(*cpuDense, in).lastHiddenState, expected, in);
        for (at::ScalarType dtype : { at::kHalf, at::kFloat }) {
            SCOPED_TRACE(c10::toString(dtype));
            // Measured on the H200: ~5e-3 in float16; float32 runs the sparse kernels in float16 (~1e-3) and dense
            // SDPA in float32 (~4e-6). Each tolerance is about four times that.
            const double tolerance = dtype == at::kHalf ? 2e-2 : (c.sparse ? 5e-3 : 2e-5);
            if (c.sparse)
                ASSERT_GT(layoutEffect, 5 * tolerance) << "the layout barely changes this model's outputs";
            const auto cuda = onDevice(*base, c, { at::Device(at::kCUDA, 0), dtype });
            const at::Tensor got = runPadded(*cuda, in).lastHiddenState.to(at::kCPU, at::kFloat);
            ASSERT_EQ(got.sizes(), expected.sizes());
            ASSERT_TRUE(at::isfinite(got).all().item<bool>());
            EXPECT_LT(realTokenDifference(got, expected, in), tolerance);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(EveryPath, CudaModel,
    ::testing::Values(
        ModelCase { "bert_bslongformer16_d64", ModelFamily::Bert, 256, 4, SparsityMode::BSLongformer, 16 },
        ModelCase { "roberta_bigbird16_d32", ModelFamily::Roberta, 128, 4, SparsityMode::BigBird, 16 },
        ModelCase { "bert_fixed32_d64", ModelFamily::Bert, 128, 2, SparsityMode::Fixed, 32 },
        ModelCase { "bert_dense_sdpa_d64", ModelFamily::Bert, 256, 4, std::nullopt, 0 }),
    [](const auto& info) { return std::string(info.param.name); });

} // namespace
} // namespace spw
