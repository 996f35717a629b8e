// Model-level conversion on the committed transformers checkpoints (tests/fixtures/models): position extension for
// both families against transformers' own outputs, and error messages for bad extensions and layer choices.
#include "common/error.h"
#include "convert/conversion_plan.h"
#include "convert/model_conversion.h"
#include "convert/padded_run.h"
#include "io/safetensors.h"
#include "model/golden.h"

#include <gtest/gtest.h>

#include <string>

using namespace spw;

namespace {

const std::string kModels = std::string(SPW_FIXTURES_DIR) + "/models/";

using spw::test::fixtureInputs;

std::string errorOf(const std::function<void()>& call)
{
    try {
        call();
    } catch (const Error& error) {
        return error.what();
    }
    return "no error";
}

struct ExtensionCase {
    std::string model;
    std::int64_t newMax;
    std::int64_t expectedRows;
};

class Extension : public ::testing::TestWithParam<ExtensionCase> { };

} // namespace

TEST_P(Extension, CopiesRowsAndKeepsTransformersOutputsBelowTheOldMaximum)
{
    const ExtensionCase& c = GetParam();
    auto model = EncoderModel::load(kModels + c.model);
    const at::Tensor original = model->positionEmbeddings().clone();
    const bool roberta = model->family() == ModelFamily::Roberta;
    const std::int64_t reserved = roberta ? 2 : 0;
    const std::int64_t usable = original.size(0) - reserved;

    extendPositionEmbedding(*model, c.newMax);

    const at::Tensor& table = model->positionEmbeddings();
    ASSERT_EQ(table.size(0), c.expectedRows);
    EXPECT_EQ(model->config().maxPositionEmbeddings, c.expectedRows);
    EXPECT_EQ(model->config().usableMaxLength(), c.newMax);
    for (std::int64_t row = 0; row < c.expectedRows; ++row) {
        const std::int64_t from = row < reserved ? row : reserved + (row - reserved) % usable;
        ASSERT_TRUE(at::equal(table[row], original[from])) << "row " << row;
    }
    // Positions below the old maximum use the original rows: transformers' outputs still hold.
    std::map<std::string, at::Tensor> expected = loadSafetensors(kModels + c.model + "/expected.safetensors");
    ModelOutputs outputs = runPadded(*model, fixtureInputs(c.model));
    EXPECT_TRUE(at::allclose(outputs.lastHiddenState, expected.at("last_hidden_state"), 1e-4, 1e-4));
    EXPECT_TRUE(at::allclose(*outputs.logits, expected.at("logits"), 1e-4, 1e-4));
}

INSTANTIATE_TEST_SUITE_P(BothFamilies, Extension,
    ::testing::Values(ExtensionCase { "bert_mlm", 128, 128 }, // a whole multiple of 64
        ExtensionCase { "bert_mlm", 100, 100 }, // not a multiple
        ExtensionCase { "roberta_mlm", 128, 130 }, // 64 usable rows + 2
        ExtensionCase { "roberta_mlm", 90, 92 }),
    [](const auto& info) { return info.param.model + "_" + std::to_string(info.param.newMax); });

TEST(Extension, ExtendedModelRunsEveryLengthUpToTheNewMaximum)
{
    for (const std::string name : { "bert_mlm", "roberta_mlm" }) {
        auto model = EncoderModel::load(kModels + name);
        extendPositionEmbedding(*model, 100);
        for (std::int64_t length : { 1, 63, 64, 65, 99, 100 }) {
            ModelInputs inputs;
            inputs.inputIds = at::full({ 2, length }, 7, at::kLong);
            ModelOutputs outputs = runPadded(*model, inputs);
            EXPECT_EQ(outputs.lastHiddenState.size(1), length) << name;
            EXPECT_FALSE(outputs.lastHiddenState.isnan().any().item<bool>()) << name;
        }
        ModelInputs tooLong;
        tooLong.inputIds = at::full({ 1, 101 }, 7, at::kLong);
        EXPECT_THROW(runPadded(*model, tooLong), Error);
    }
}

TEST(Extension, RefusesALengthNotAboveTheCurrentMaximum)
{
    auto bert = EncoderModel::load(kModels + "bert_mlm");
    std::string message = errorOf([&] { extendPositionEmbedding(*bert, 64); });
    EXPECT_NE(message.find("max_position_embeddings 64"), std::string::npos) << message;
    EXPECT_NE(message.find("64"), std::string::npos) << message;
    message = errorOf([&] { extendPositionEmbedding(*bert, 10); });
    EXPECT_NE(message.find("10"), std::string::npos) << message;
    EXPECT_EQ(bert->config().maxPositionEmbeddings, 64);

    auto roberta = EncoderModel::load(kModels + "roberta_mlm");
    message = errorOf([&] { extendPositionEmbedding(*roberta, 64); }); // 66 rows: 64 usable
    EXPECT_NE(message.find("max_position_embeddings 66"), std::string::npos) << message;
    EXPECT_EQ(roberta->positionEmbeddings().size(0), 66);
}

TEST(ReplaceSelfAttention, ChosenLayersOnlyAndErrorsNameTheNumbers)
{
    auto model = EncoderModel::load(kModels + "bert_mlm");
    SparsityConfig config = defaultsFor(SparsityMode::Fixed);
    config.block = 8;
    EXPECT_EQ(replaceSelfAttention(*model, config, 3, std::vector<int> { 1 }), std::vector<int> { 1 });
    EXPECT_EQ(sparseLayers(*model), std::vector<int> { 1 });
    EXPECT_EQ(model->selfAttention(1).sparseAttention()->seed, 3u);

    std::string message = errorOf([&] { replaceSelfAttention(*model, config, 0, std::vector<int> { 0, 2 }); });
    EXPECT_NE(message.find("layer 2"), std::string::npos) << message;
    EXPECT_NE(message.find("2 layers"), std::string::npos) << message;
    EXPECT_EQ(sparseLayers(*model), std::vector<int> { 1 }); // nothing changed

    config.numHeads = 12;
    message = errorOf([&] { replaceSelfAttention(*model, config, 0); });
    EXPECT_NE(message.find("12"), std::string::npos) << message;
    EXPECT_NE(message.find("num_attention_heads 4"), std::string::npos) << message;
    EXPECT_EQ(sparseLayers(*model), std::vector<int> { 1 });
}

TEST(ReplaceSelfAttention, LayoutCoversTheMaximumRoundedUpToTheBlock)
{
    auto model = EncoderModel::load(kModels + "bert_mlm");
    extendPositionEmbedding(*model, 100);
    SparsityConfig config = defaultsFor(SparsityMode::BSLongformer);
    config.block = 16;
    replaceSelfAttention(*model, config, 0);
    EXPECT_EQ(model->selfAttention(0).sparseAttention()->layout.seqLen(), 112);
    // Extending a sparse model again rebuilds its layouts at the new maximum.
    extendPositionEmbedding(*model, 200);
    EXPECT_EQ(model->selfAttention(0).sparseAttention()->layout.seqLen(), 208);
    EXPECT_EQ(model->selfAttention(1).sparseAttention(), model->selfAttention(0).sparseAttention());
}

TEST(ConversionPlan, PreviewDescribesWithoutChanging)
{
    auto model = EncoderModel::load(kModels + "roberta_mlm");
    ConversionPlan plan;
    plan.maxLength = 128;
    plan.sparsity = defaultsFor(SparsityMode::Local);
    plan.sparsity->block = 16;
    plan.layers = std::vector<int> { 1 };
    ConversionPreview preview = previewConversion(model->config(), plan);
    EXPECT_EQ(preview.positionRowsBefore, 66);
    EXPECT_EQ(preview.positionRowsAfter, 130);
    EXPECT_EQ(preview.maxLengthBefore, 64);
    EXPECT_EQ(preview.maxLengthAfter, 128);
    EXPECT_EQ(preview.layersTouched, std::vector<int> { 1 });
    EXPECT_EQ(preview.layoutLength, 128);
    ASSERT_TRUE(preview.layoutStats);
    // local, unidirectional, window 3 → w = 1: the diagonal and one block below it, 8 + 7 = 15 of 64 blocks.
    EXPECT_DOUBLE_EQ(preview.layoutStats->density, 15.0 / 64.0);
    EXPECT_DOUBLE_EQ(preview.attentionCostRelativeToDense, (1.0 + 15.0 / 64.0) / 2.0);
    EXPECT_EQ(model->config().maxPositionEmbeddings, 66);
    EXPECT_TRUE(sparseLayers(*model).empty());

    ConversionRecord record = applyConversionPlan(*model, plan);
    EXPECT_EQ(record.tokenizerModelMaxLength, 128);
    EXPECT_EQ(model->config().maxPositionEmbeddings, 130);
    EXPECT_EQ(sparseLayers(*model), std::vector<int> { 1 });
}

TEST(ConversionPlan, BadPlansLeaveTheModelUntouched)
{
    auto model = EncoderModel::load(kModels + "bert_mlm");
    ConversionPlan empty;
    EXPECT_THROW(previewConversion(model->config(), empty), Error);
    ConversionPlan badLayer;
    badLayer.maxLength = 128;
    badLayer.sparsity = defaultsFor(SparsityMode::Fixed);
    badLayer.layers = std::vector<int> { 5 };
    EXPECT_NE(errorOf([&] { applyConversionPlan(*model, badLayer); }).find("layer 5"), std::string::npos);
    EXPECT_EQ(model->config().maxPositionEmbeddings, 64); // the extension did not happen either
    ConversionPlan tooManyRandom;
    tooManyRandom.sparsity = defaultsFor(SparsityMode::BigBird);
    tooManyRandom.sparsity->block = 16;
    tooManyRandom.sparsity->numRandomBlocks = 5; // 4 blocks per row at 64 tokens
    EXPECT_THROW(applyConversionPlan(*model, tooManyRandom), Error);
    EXPECT_TRUE(sparseLayers(*model).empty());
}
