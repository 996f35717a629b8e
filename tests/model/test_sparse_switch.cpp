// Switching layers to block-sparse attention: a dense layout gives the dense model's output (design.md §3), the
// layout covers the model's usable length padded to the block, and inputs off the block are refused.
#include "golden.h"

#include "common/error.h"
#include "convert/padded_run.h"
#include "model/sparse_attention_setting.h"

#include <gtest/gtest.h>

using namespace spw;

namespace {

ModelInputs paddedInputs(std::int64_t length, std::int64_t pad)
{
    ModelInputs inputs;
    inputs.inputIds = at::randint(3, 99, { 2, length }, at::kLong);
    at::Tensor mask = at::ones({ 2, length }, at::kLong);
    mask[1].narrow(0, length - 5, 5).zero_();
    inputs.inputIds[1].narrow(0, length - 5, 5).fill_(pad);
    inputs.attentionMask = mask;
    return inputs;
}

} // namespace

TEST(SparseSwitch, LayoutCoversTheLongestInputPaddedToTheBlock)
{
    ModelConfig bert = loadModelConfig(spw::test::modelFixture("bert_mlm"));
    ModelConfig roberta = loadModelConfig(spw::test::modelFixture("roberta_mlm"));
    EXPECT_EQ(sparseLayoutLength(bert, 16), 64);
    EXPECT_EQ(sparseLayoutLength(roberta, 16), 64); // 66 rows - padding index 1 - 1
    // 64 tokens pad to 72 with block 24 (3 blocks) and to 128 with block 128 (1 block): the layout must hold them.
    EXPECT_EQ(sparseLayoutLength(roberta, 24), 72);
    EXPECT_EQ(sparseLayoutLength(bert, 128), 128);
    EXPECT_THROW(sparseLayoutLength(bert, 0), spw::Error);

    for (int block : { 24, 128 }) {
        auto model = EncoderModel::load(spw::test::modelFixture("bert_mlm"));
        const ModelInputs longest = paddedInputs(64, 0);
        const at::Tensor dense = model->forward(longest).lastHiddenState;
        SparsityConfig config = defaultsFor(SparsityMode::Dense);
        config.block = block;
        auto setting = makeSparseAttentionSetting(config, 0, model->config());
        for (int layer = 0; layer < model->layerCount(); ++layer)
            model->selfAttention(layer).setSparseAttention(setting);
        const at::Tensor sparse = runPadded(*model, longest).lastHiddenState;
        EXPECT_LE(spw::test::maxAbsDifference(dense, sparse), 1e-5) << "block " << block;
    }
}

TEST(SparseSwitch, DenseLayoutGivesTheDenseOutputs)
{
    for (const char* name : { "bert_mlm", "roberta_mlm" }) {
        auto model = EncoderModel::load(spw::test::modelFixture(name));
        ModelInputs inputs = paddedInputs(32, model->config().padTokenId);
        ModelOutputs dense = model->forward(inputs);
        SparsityConfig config = defaultsFor(SparsityMode::Dense);
        auto setting = makeSparseAttentionSetting(config, 0, model->config());
        EXPECT_EQ(setting->layout.seqLen(), 64);
        for (int layer = 0; layer < model->layerCount(); ++layer)
            model->selfAttention(layer).setSparseAttention(setting);
        ModelOutputs sparse = model->forward(inputs);
        EXPECT_LE(spw::test::maxAbsDifference(dense.lastHiddenState, sparse.lastHiddenState), 1e-5) << name;
        EXPECT_LE(spw::test::maxAbsDifference(*dense.logits, *sparse.logits), 1e-4) << name;

        ModelInputs offBlock = paddedInputs(20, model->config().padTokenId);
        EXPECT_THROW(model->forward(offBlock), spw::Error);
    }
}

TEST(SparseSwitch, SparseLayoutChangesOnlyTheSwitchedLayers)
{
    auto model = EncoderModel::load(spw::test::modelFixture("bert_mlm"));
    ModelInputs inputs = paddedInputs(64, 0);
    ModelOutputs dense = model->forward(inputs);
    SparsityConfig config = defaultsFor(SparsityMode::Local);
    config.block = 16;
    config.numSlidingWindowBlocks = 1;
    config.attention = AttentionDirection::Bidirectional;
    model->selfAttention(1).setSparseAttention(makeSparseAttentionSetting(config, 0, model->config()));
    EXPECT_TRUE(model->selfAttention(1).sparseAttention());
    EXPECT_FALSE(model->selfAttention(0).sparseAttention());
    ModelOutputs sparse = model->forward(inputs);
    EXPECT_GT(spw::test::maxAbsDifference(dense.lastHiddenState, sparse.lastHiddenState), 1e-3);
    model->selfAttention(1).setSparseAttention(nullptr);
    EXPECT_EQ(spw::test::maxAbsDifference(dense.lastHiddenState, model->forward(inputs).lastHiddenState), 0.0);
}

TEST(SparseSwitch, HeadCountMustMatch)
{
    ModelConfig bert = loadModelConfig(spw::test::modelFixture("bert_mlm"));
    SparsityConfig config = defaultsFor(SparsityMode::Fixed);
    config.numHeads = 3;
    EXPECT_THROW(makeSparseAttentionSetting(config, 0, bert), spw::Error);
}
