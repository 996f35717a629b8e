// RoBERTa's usable-positions rule with a padding index other than 1. transformers' RobertaEmbeddings numbers real
// tokens from padding_idx + 1 (create_position_ids_from_input_ids), so a table of max_position_embeddings rows takes
// max_position_embeddings - pad_token_id - 1 tokens; BERT takes max_position_embeddings whatever its pad_token_id.
// Every consumer of the rule (the forward, the padded run, the sparse layout, extension, the conversion preview)
// must agree with transformers for any padding index, not only for roberta-base's 1.
#include "common/error.h"
#include "convert/conversion_plan.h"
#include "convert/model_conversion.h"
#include "convert/padded_run.h"
#include "model/encoder_model.h"

#include <gtest/gtest.h>

#include <string>

using namespace spw;

namespace {

constexpr std::int64_t kRows = 40;

// transformers' create_position_ids_from_input_ids (modeling_roberta.py), written out independently of the engine.
at::Tensor transformersRobertaPositions(const at::Tensor& ids, std::int64_t padTokenId)
{
    const at::Tensor mask = ids.ne(padTokenId).to(at::kInt);
    const at::Tensor incremental = at::cumsum(mask, 1).to(at::kInt) * mask;
    return incremental.to(at::kLong) + padTokenId;
}

// The longest input of real tokens whose transformers position ids all index a table of `rows` rows.
std::int64_t transformersLongestRobertaInput(std::int64_t rows, std::int64_t padTokenId)
{
    std::int64_t longest = 0;
    for (std::int64_t length = 1; length <= rows; ++length) {
        const at::Tensor ids = at::full({ 1, length }, padTokenId + 1, at::kLong);
        if (transformersRobertaPositions(ids, padTokenId).max().item<std::int64_t>() >= rows)
            break;
        longest = length;
    }
    return longest;
}

ModelConfig smallConfig(const std::string& modelType, std::int64_t padTokenId, std::int64_t rows = kRows)
{
    const nlohmann::json json = {
        { "model_type", modelType },
        { "architectures", { modelType == "roberta" ? "RobertaModel" : "BertModel" } },
        { "vocab_size", 64 },
        { "hidden_size", 8 },
        { "num_hidden_layers", 2 },
        { "num_attention_heads", 2 },
        { "intermediate_size", 16 },
        { "max_position_embeddings", rows },
        { "pad_token_id", padTokenId },
        { "type_vocab_size", 1 },
    };
    return modelConfigFromJson(json);
}

// `length` real tokens (never the padding id).
ModelInputs realTokens(std::int64_t length, std::int64_t padTokenId)
{
    ModelInputs inputs;
    inputs.inputIds = at::full({ 1, length }, padTokenId + 1, at::kLong);
    return inputs;
}

} // namespace

TEST(PositionRule, UsableLengthIsTransformersForEveryPaddingIndex)
{
    for (std::int64_t pad : { 0, 1, 5, 30 }) {
        const ModelConfig roberta = smallConfig("roberta", pad);
        EXPECT_EQ(roberta.usableMaxLength(), transformersLongestRobertaInput(kRows, pad)) << "pad " << pad;
        EXPECT_EQ(roberta.maxPositionEmbeddingsFor(roberta.usableMaxLength()), kRows) << "pad " << pad;
        // BERT's positions count from 0 whatever the padding index.
        EXPECT_EQ(smallConfig("bert", pad).usableMaxLength(), kRows) << "pad " << pad;
    }
    // A RoBERTa table that ends at the padding index has no position for a real token.
    EXPECT_THROW(smallConfig("roberta", kRows - 1), Error);
}

TEST(PositionRule, EveryConsumerAgreesWhenThePaddingIndexIsNotOne)
{
    const std::int64_t pad = 5;
    const ModelConfig config = smallConfig("roberta", pad);
    const std::int64_t usable = transformersLongestRobertaInput(kRows, pad); // 34
    auto model = EncoderModel::randomlyInitialized(config, 7);

    // The forward: the longest input runs, one more token is refused with the numbers.
    EXPECT_EQ(model->forward(realTokens(usable, pad)).lastHiddenState.size(1), usable);
    try {
        model->forward(realTokens(usable + 1, pad));
        ADD_FAILURE() << "an input past the usable positions ran";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("35 exceeds the model's 34 positions"), std::string::npos)
            << error.what();
    }

    // Sparse layers: the layout covers the longest input padded to the block (34 → 48), which runs padded and
    // matches the dense model when the layout is dense.
    const at::Tensor dense = model->forward(realTokens(usable, pad)).lastHiddenState;
    SparsityConfig sparsity = defaultsFor(SparsityMode::Dense);
    sparsity.block = 16;
    replaceSelfAttention(*model, sparsity, 0);
    EXPECT_EQ(model->selfAttention(0).sparseAttention()->layout.seqLen(), 48);
    const at::Tensor sparse = runPadded(*model, realTokens(usable, pad)).lastHiddenState;
    EXPECT_TRUE(at::allclose(sparse, dense, 1e-5, 1e-5));
    EXPECT_THROW(runPadded(*model, realTokens(usable + 1, pad)), Error);

    // Conversion: the preview and the extension keep all pad + 1 reserved rows.
    ConversionPlan plan;
    plan.maxLength = 50;
    const ConversionPreview preview = previewConversion(model->config(), plan);
    EXPECT_EQ(preview.maxLengthBefore, usable);
    EXPECT_EQ(preview.positionRowsAfter, 50 + pad + 1);
    const at::Tensor before = model->positionEmbeddings().clone();
    extendPositionEmbedding(*model, 50);
    EXPECT_EQ(model->config().maxPositionEmbeddings, 50 + pad + 1);
    EXPECT_EQ(model->config().usableMaxLength(), 50);
    EXPECT_TRUE(at::equal(model->positionEmbeddings().narrow(0, 0, pad + 1), before.narrow(0, 0, pad + 1)));
    EXPECT_TRUE(at::equal(model->positionEmbeddings()[pad + 1 + usable], before[pad + 1]));
    EXPECT_EQ(runPadded(*model, realTokens(50, pad)).lastHiddenState.size(1), 50);
}
