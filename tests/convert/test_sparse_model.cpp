// A converted model's block-sparse attention against an independent reference: the same checkpoint run by the
// test's own forward (reference_forward.h) with the layout applied as a token-level mask to an explicit softmax.
// Also: a dense layout gives transformers' outputs, odd lengths give what explicit padding gives, and the two
// key-padding mask modes agree.
#include "attention/block_sparse_attention.h"
#include "common/error.h"
#include "convert/model_conversion.h"
#include "convert/padded_run.h"
#include "convert/reference_forward.h"
#include "io/safetensors.h"
#include "model/golden.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

using namespace spw;

namespace {

const std::string kModels = std::string(SPW_FIXTURES_DIR) + "/models/";

// The layout's top-left corner for `length` tokens (rounded up to the block), expanded to tokens and cut to length.
at::Tensor tokenMask(const Layout& layout, std::int64_t length)
{
    const int blocks = int((length + layout.block - 1) / layout.block);
    const Layout corner = layout.topLeft(blocks);
    at::Tensor mask = at::empty({ corner.numHeads, blocks, blocks }, at::kByte);
    std::memcpy(mask.data_ptr(), corner.mask.data(), corner.mask.size());
    mask = mask.repeat_interleave(layout.block, 1).repeat_interleave(layout.block, 2);
    return mask.narrow(1, 0, length).narrow(2, 0, length).contiguous();
}

std::vector<at::Tensor> tokenMasks(const EncoderModel& model, std::int64_t length)
{
    std::vector<at::Tensor> masks;
    for (int layer = 0; layer < model.layerCount(); ++layer) {
        const auto& setting = model.selfAttention(layer).sparseAttention();
        masks.push_back(setting ? tokenMask(setting->layout, length) : at::Tensor());
    }
    return masks;
}

using spw::test::fixtureInputs;

// Largest difference over the real tokens (attention_mask 1): padding queries are not compared, their rows can be
// fully excluded, where the engine and the reference legitimately differ.
double maxRealTokenDifference(const at::Tensor& a, const at::Tensor& b, const at::Tensor& mask)
{
    at::Tensor keep = mask.to(at::kBool).unsqueeze(-1).expand_as(a);
    return (a - b).abs().masked_select(keep).max().item<double>();
}

struct SparseCase {
    std::string name;
    std::string model;
    SparsityConfig config;
    std::vector<int> layers; // empty: all
};

SparsityConfig withBlock(SparsityMode mode, int block)
{
    SparsityConfig config = defaultsFor(mode);
    config.block = block;
    return config;
}

std::vector<SparseCase> sparseCases()
{
    std::vector<SparseCase> cases;
    for (const std::string model : { "bert_mlm", "roberta_mlm" }) {
        SparsityConfig fixed = withBlock(SparsityMode::Fixed, 2);
        fixed.numLocalBlocks = 2;
        cases.push_back({ model + "_fixed", model, fixed, {} });
        SparsityConfig fixedUni = fixed;
        fixedUni.attention = AttentionDirection::Unidirectional;
        cases.push_back({ model + "_fixed_unidirectional_layer1", model, fixedUni, { 1 } });
        SparsityConfig variable = withBlock(SparsityMode::Variable, 2);
        variable.numRandomBlocks = 1;
        variable.localWindowBlocks = { 1, 2 };
        variable.globalBlockIndices = { 0 };
        cases.push_back({ model + "_variable", model, variable, {} });
        SparsityConfig bigbird = withBlock(SparsityMode::BigBird, 2);
        bigbird.numRandomBlocks = 1;
        bigbird.differentLayoutPerHead = true;
        cases.push_back({ model + "_bigbird_per_head", model, bigbird, {} });
        SparsityConfig longformer = withBlock(SparsityMode::BSLongformer, 4);
        longformer.numSlidingWindowBlocks = 1;
        cases.push_back({ model + "_bslongformer", model, longformer, { 0 } });
        cases.push_back({ model + "_local", model, withBlock(SparsityMode::Local, 3), {} });
    }
    return cases;
}

class SparseModel : public ::testing::TestWithParam<SparseCase> { };

} // namespace

TEST(ReferenceForward, MatchesTransformersWhenDense)
{
    for (const std::string name : { "bert_mlm", "roberta_mlm" }) {
        test::ReferenceModel reference = test::loadReferenceModel(kModels + name);
        ModelInputs inputs = fixtureInputs(name);
        auto expected = loadSafetensors(kModels + name + "/expected.safetensors");
        auto outputs
            = test::referenceForward(reference, inputs.inputIds, *inputs.attentionMask, inputs.tokenTypeIds, {});
        EXPECT_TRUE(at::allclose(outputs.lastHiddenState, expected.at("last_hidden_state"), 1e-4, 1e-4)) << name;
        EXPECT_TRUE(at::allclose(outputs.logits, expected.at("logits"), 1e-4, 1e-4)) << name;
    }
}

TEST_P(SparseModel, MatchesDenseAttentionWithTheLayoutAsATokenMask)
{
    const SparseCase& c = GetParam();
    auto model = EncoderModel::load(kModels + c.model);
    replaceSelfAttention(
        *model, c.config, 11, c.layers.empty() ? std::nullopt : std::optional<std::vector<int>>(c.layers));
    test::ReferenceModel reference = test::loadReferenceModel(kModels + c.model);
    ModelInputs inputs = fixtureInputs(c.model);
    const std::int64_t length = inputs.inputIds.size(1);

    ModelOutputs outputs = runPadded(*model, inputs);
    ASSERT_EQ(outputs.lastHiddenState.size(1), length);
    ASSERT_EQ(outputs.logits->size(1), length);
    auto expected = test::referenceForward(
        reference, inputs.inputIds, *inputs.attentionMask, inputs.tokenTypeIds, tokenMasks(*model, length));
    EXPECT_LT(maxRealTokenDifference(outputs.lastHiddenState, expected.lastHiddenState, *inputs.attentionMask), 1e-4);
    EXPECT_LT(maxRealTokenDifference(*outputs.logits, expected.logits, *inputs.attentionMask), 1e-4);

    // The layout matters: the dense reference differs (guards against a test that cannot fail).
    auto dense = test::referenceForward(reference, inputs.inputIds, *inputs.attentionMask, inputs.tokenTypeIds, {});
    EXPECT_GT(maxRealTokenDifference(outputs.lastHiddenState, dense.lastHiddenState, *inputs.attentionMask), 1e-3);
}

INSTANTIATE_TEST_SUITE_P(
    EveryMode, SparseModel, ::testing::ValuesIn(sparseCases()), [](const auto& info) { return info.param.name; });

TEST(SparseModel, LongInputAfterExtensionMatchesTheReference)
{
    auto model = EncoderModel::load(kModels + "bert_mlm");
    const at::Tensor original = model->positionEmbeddings().clone();
    extendPositionEmbedding(*model, 100);
    replaceSelfAttention(*model, withBlock(SparsityMode::BigBird, 8), 5);
    const std::int64_t length = 93;
    at::Tensor ids = at::randint(5, 99, { 2, length }, at::kLong);
    at::Tensor mask = at::ones({ 2, length }, at::kLong);
    mask[1].narrow(0, 80, length - 80).zero_();
    ModelInputs inputs { ids, mask, std::nullopt, std::nullopt };
    ModelOutputs outputs = runPadded(*model, inputs);

    // The reference's table: the original rows repeated (position i uses original row i mod 64).
    at::Tensor table = original.index_select(0, at::arange(100, at::kLong).remainder(64));
    auto expected = test::referenceForward(
        test::loadReferenceModel(kModels + "bert_mlm"), ids, mask, std::nullopt, tokenMasks(*model, length), table);
    EXPECT_LT(maxRealTokenDifference(outputs.lastHiddenState, expected.lastHiddenState, mask), 1e-4);
    EXPECT_LT(maxRealTokenDifference(*outputs.logits, expected.logits, mask), 1e-4);
}

TEST(SparseModel, DenseLayoutGivesTransformersOutputs)
{
    for (const std::string name : { "bert_mlm", "roberta_mlm", "roberta_cls", "bert_cls_sharded" }) {
        auto model = EncoderModel::load(kModels + name);
        replaceSelfAttention(*model, withBlock(SparsityMode::Dense, 4), 0);
        ModelInputs inputs = fixtureInputs(name);
        ModelOutputs outputs = runPadded(*model, inputs);
        auto expected = loadSafetensors(kModels + name + "/expected.safetensors");
        EXPECT_TRUE(at::allclose(outputs.lastHiddenState, expected.at("last_hidden_state"), 1e-4, 1e-4)) << name;
        EXPECT_TRUE(at::allclose(*outputs.logits, expected.at("logits"), 1e-4, 1e-4)) << name;
        if (expected.count("pooler_output"))
            EXPECT_TRUE(at::allclose(*outputs.poolerOutput, expected.at("pooler_output"), 1e-4, 1e-4)) << name;
    }
}

TEST(SparseModel, OddLengthsEqualExplicitPadding)
{
    for (const std::string name : { "bert_mlm", "roberta_mlm" }) {
        auto model = EncoderModel::load(kModels + name);
        replaceSelfAttention(*model, withBlock(SparsityMode::Fixed, 4), 0);
        const std::int64_t pad = model->config().padTokenId;
        at::Tensor ids = at::randint(5, 99, { 2, 13 }, at::kLong);
        ids.select(1, 0).fill_(name == "roberta_mlm" ? 0 : 2);
        ModelOutputs implicit = runPadded(*model, ModelInputs { ids, std::nullopt, std::nullopt, std::nullopt });

        // Explicit: padded by hand to 16 with pad_token_id and mask 0, positions as the family counts them.
        at::Tensor paddedIds = at::cat({ ids, at::full({ 2, 3 }, pad, at::kLong) }, 1);
        at::Tensor mask = at::cat({ at::ones({ 2, 13 }, at::kLong), at::zeros({ 2, 3 }, at::kLong) }, 1);
        ModelOutputs explicitRun = model->forward(ModelInputs { paddedIds, mask, std::nullopt, std::nullopt });
        ASSERT_EQ(implicit.lastHiddenState.size(1), 13);
        EXPECT_TRUE(at::allclose(implicit.lastHiddenState, explicitRun.lastHiddenState.narrow(1, 0, 13), 1e-5, 1e-5))
            << name;
        EXPECT_TRUE(at::allclose(*implicit.logits, explicitRun.logits->narrow(1, 0, 13), 1e-5, 1e-5)) << name;
    }
}

TEST(SparseModel, ClassificationLogitsAreNotCut)
{
    auto model = EncoderModel::load(kModels + "roberta_cls");
    replaceSelfAttention(*model, withBlock(SparsityMode::Fixed, 8), 0);
    ModelInputs inputs = fixtureInputs("roberta_cls");
    ModelOutputs outputs = runPadded(*model, inputs);
    EXPECT_EQ(outputs.logits->sizes(), (std::vector<std::int64_t> { inputs.inputIds.size(0), 2 }));
    EXPECT_EQ(outputs.lastHiddenState.size(1), inputs.inputIds.size(1));
}

TEST(SparseModel, AddAndMulKeyPaddingMasksAgreeWithTheMaskedSoftmax)
{
    // Key-padding in DeepSpeed's two modes: "add" (HuggingFace's 0 / dtype-minimum) and "mul" (1 keep / 0 drop).
    const SparsityConfig config = withBlock(SparsityMode::BigBird, 4);
    const Layout layout = makeLayout(config, 32, 2, 3);
    at::Tensor q = at::randn({ 2, 2, 32, 8 });
    at::Tensor k = at::randn({ 2, 2, 32, 8 });
    at::Tensor v = at::randn({ 2, 2, 32, 8 });
    at::Tensor keep = at::ones({ 2, 32 });
    keep[1].narrow(0, 20, 12).zero_();
    AttentionMasks add;
    add.keyPadding = (1.0 - keep) * double(std::numeric_limits<float>::lowest());
    add.keyPaddingMode = MaskMode::Add;
    AttentionMasks mul;
    mul.keyPadding = keep;
    mul.keyPaddingMode = MaskMode::Mul;
    at::Tensor outAdd = blockSparseAttention(q, k, v, layout, add);
    at::Tensor outMul = blockSparseAttention(q, k, v, layout, mul);

    at::Tensor allowed = tokenMask(layout, 32).to(at::kBool).unsqueeze(0) & keep.to(at::kBool).view({ 2, 1, 1, 32 });
    at::Tensor scores = at::matmul(q, k.transpose(-1, -2)) / std::sqrt(8.0);
    scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
    at::Tensor reference = at::matmul(at::softmax(scores, -1), v);
    // Every query row keeps its own diagonal block, so the rows of unmasked batch 0 and the kept keys of batch 1
    // are well defined.
    at::Tensor realRows = keep.to(at::kBool).view({ 2, 1, 32, 1 }).expand_as(reference);
    EXPECT_LT((outAdd - reference).abs().masked_select(realRows).max().item<double>(), 1e-5);
    EXPECT_LT((outMul - reference).abs().masked_select(realRows).max().item<double>(), 1e-5);
}
