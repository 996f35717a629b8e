// config.json: the fixtures transformers wrote parse; mistakes name config.json and the key; unknown keys survive.
#include "common/error.h"
#include "io/model_config.h"

#include <gtest/gtest.h>

namespace {

nlohmann::json fixtureConfig(const std::string& model)
{
    return spw::loadModelConfig(std::string(SPW_FIXTURES_DIR) + "/models/" + model).original;
}

std::string errorOf(const nlohmann::json& json)
{
    try {
        spw::modelConfigFromJson(json, "config.json");
    } catch (const spw::Error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST(ModelConfig, ParsesTransformersFiles)
{
    spw::ModelConfig bert = spw::modelConfigFromJson(fixtureConfig("bert_cls_sharded"));
    EXPECT_EQ(bert.modelType, "bert");
    EXPECT_EQ(bert.architectures, std::vector<std::string> { "BertForSequenceClassification" });
    EXPECT_EQ(bert.hiddenAct, "gelu_new");
    EXPECT_EQ(bert.numLabels, 3);
    EXPECT_EQ(bert.id2label.at(2), "pos");
    EXPECT_EQ(bert.maxPositionEmbeddings, 64);
    spw::ModelConfig roberta = spw::modelConfigFromJson(fixtureConfig("roberta_fp16"));
    EXPECT_EQ(roberta.family(), spw::ModelFamily::Roberta);
    EXPECT_EQ(roberta.padTokenId, 1);
    EXPECT_EQ(roberta.typeVocabSize, 1);
    EXPECT_EQ(roberta.dtype, "float16");
}

TEST(ModelConfig, MistakesNameTheKey)
{
    nlohmann::json good = fixtureConfig("bert_mlm");
    auto without = [&](const char* key) {
        auto j = good;
        j.erase(key);
        return j;
    };
    auto with = [&](const char* key, nlohmann::json value) {
        auto j = good;
        j[key] = value;
        return j;
    };
    EXPECT_NE(errorOf(without("hidden_size")).find("config.json: missing key \"hidden_size\""), std::string::npos);
    EXPECT_NE(errorOf(without("model_type")).find("\"model_type\""), std::string::npos);
    EXPECT_NE(
        errorOf(with("num_hidden_layers", "2")).find("\"num_hidden_layers\" must be an integer"), std::string::npos);
    EXPECT_NE(errorOf(with("num_attention_heads", 5)).find("num_attention_heads"), std::string::npos);
    EXPECT_NE(
        errorOf(with("position_embedding_type", "relative_key")).find("position_embedding_type"), std::string::npos);
    EXPECT_NE(errorOf(with("model_type", "gpt2")).find("'gpt2'"), std::string::npos);
    EXPECT_NE(errorOf(with("hidden_act", "swish")).find("hidden_act"), std::string::npos);
    EXPECT_NE(errorOf(with("layer_norm_eps", "small")).find("layer_norm_eps"), std::string::npos);
    EXPECT_NE(errorOf(with("architectures", "BertModel")).find("architectures"), std::string::npos);
    EXPECT_NE(errorOf(nlohmann::json::array()).find("not a JSON object"), std::string::npos);
}

TEST(ModelConfig, DefaultsFollowTransformersAndUnknownKeysSurvive)
{
    nlohmann::json json = { { "model_type", "roberta" }, { "vocab_size", 50 }, { "hidden_size", 8 },
        { "num_hidden_layers", 1 }, { "num_attention_heads", 2 }, { "intermediate_size", 16 },
        { "max_position_embeddings", 20 }, { "my_key", { { "nested", true } } } };
    spw::ModelConfig config = spw::modelConfigFromJson(json);
    EXPECT_EQ(config.padTokenId, 1);
    EXPECT_EQ(config.hiddenAct, "gelu");
    EXPECT_DOUBLE_EQ(config.layerNormEps, 1e-12);
    config.maxPositionEmbeddings = 36;
    nlohmann::json written = config.toJson();
    EXPECT_EQ(written["max_position_embeddings"], 36);
    EXPECT_EQ(written["my_key"]["nested"], true);
}
