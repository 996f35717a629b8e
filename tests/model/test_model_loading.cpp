// Broken checkpoints and inputs: each is an spw::Error whose one-line message names the tensor, key or input.
#include "golden.h"

#include "common/error.h"
#include "model/create_model.h"

#include <gtest/gtest.h>

using namespace spw;

namespace {

std::string errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const spw::Error& e) {
        return e.what();
    }
    return "(no error)";
}

struct Loaded {
    ModelConfig config;
    std::map<std::string, at::Tensor> tensors;
};

Loaded fixture(const std::string& name)
{
    const std::string dir = spw::test::modelFixture(name);
    return { loadModelConfig(dir), loadCheckpointTensors(dir) };
}

} // namespace

TEST(ModelLoading, MissingTensorIsNamed)
{
    Loaded bert = fixture("bert_mlm");
    bert.tensors.erase("bert.encoder.layer.1.attention.self.key.bias");
    std::string message = errorOf([&] { EncoderModel::fromTensors(bert.config, bert.tensors); });
    EXPECT_NE(message.find("missing tensor 'bert.encoder.layer.1.attention.self.key.bias'"), std::string::npos)
        << message;
}

TEST(ModelLoading, MisShapedTensorNamesBothShapes)
{
    Loaded bert = fixture("bert_mlm");
    bert.tensors["bert.encoder.layer.0.attention.self.query.weight"] = at::zeros({ 32, 31 });
    std::string message = errorOf([&] { EncoderModel::fromTensors(bert.config, bert.tensors); });
    EXPECT_NE(message.find("'bert.encoder.layer.0.attention.self.query.weight' has shape [32, 31] but config.json "
                           "implies [32, 32]"),
        std::string::npos)
        << message;
    // A config that disagrees with the weights is caught the same way.
    Loaded other = fixture("bert_mlm");
    other.config.intermediateSize = 48;
    EXPECT_NE(
        errorOf([&] { EncoderModel::fromTensors(other.config, other.tensors); }).find("[48, 32]"), std::string::npos);
}

TEST(ModelLoading, UnsupportedArchitectureIsNamed)
{
    Loaded bert = fixture("bert_mlm");
    bert.config.architectures = { "BertForQuestionAnswering" };
    EXPECT_NE(errorOf([&] {
        EncoderModel::fromTensors(bert.config, bert.tensors);
    }).find("'BertForQuestionAnswering' is not supported"),
        std::string::npos);
    bert.config.architectures = { "RobertaModel" };
    EXPECT_NE(
        errorOf([&] { EncoderModel::fromTensors(bert.config, bert.tensors); }).find("RobertaModel"), std::string::npos);
}

TEST(ModelLoading, UntiedDecoderIsRequiredAndUsed)
{
    Loaded bert = fixture("bert_mlm");
    bert.config.tieWordEmbeddings = false;
    EXPECT_NE(
        errorOf([&] { EncoderModel::fromTensors(bert.config, bert.tensors); }).find("cls.predictions.decoder.weight"),
        std::string::npos);
    bert.tensors["cls.predictions.decoder.weight"] = bert.tensors.at("bert.embeddings.word_embeddings.weight");
    auto model = EncoderModel::fromTensors(bert.config, bert.tensors);
    auto expected = spw::test::fixtureExpected("bert_mlm");
    EXPECT_LE(spw::test::maxAbsDifference(
                  *model->forward(spw::test::fixtureInputs("bert_mlm")).logits, expected.at("logits")),
        1e-4);
}

TEST(ModelLoading, BadInputsAreNamed)
{
    auto model = EncoderModel::load(spw::test::modelFixture("roberta_cls"));
    ModelInputs inputs = spw::test::fixtureInputs("roberta_cls");
    ModelInputs outOfVocab = inputs;
    outOfVocab.inputIds = inputs.inputIds.clone();
    outOfVocab.inputIds[0][1] = 99;
    EXPECT_NE(
        errorOf([&] { model->forward(outOfVocab); }).find("input_ids: values must lie in [0, 99)"), std::string::npos);
    ModelInputs tooLong;
    tooLong.inputIds = at::full({ 1, 65 }, 5, at::kLong); // RoBERTa with 66 rows accepts 64 tokens
    EXPECT_NE(errorOf([&] { model->forward(tooLong); }).find("length 65 exceeds the model's 64 positions"),
        std::string::npos);
    tooLong.inputIds = at::full({ 1, 64 }, 5, at::kLong);
    EXPECT_NO_THROW(model->forward(tooLong));
    ModelInputs badMask = inputs;
    badMask.attentionMask = at::ones({ 3, 5 }, at::kLong);
    EXPECT_NE(errorOf([&] { model->forward(badMask); }).find("attention_mask: shape [3, 5]"), std::string::npos);
    ModelInputs badTypes = inputs;
    badTypes.tokenTypeIds = at::ones_like(inputs.inputIds); // type_vocab_size 1
    EXPECT_NE(errorOf([&] { model->forward(badTypes); }).find("token_type_ids"), std::string::npos);
    ModelInputs wrongDtype = inputs;
    wrongDtype.inputIds = inputs.inputIds.to(at::kInt);
    EXPECT_NE(errorOf([&] { model->forward(wrongDtype); }).find("input_ids: dtype"), std::string::npos);
}

TEST(ModelLoading, PositionTableCanBeReplaced)
{
    auto model = EncoderModel::load(spw::test::modelFixture("bert_mlm"));
    at::Tensor table = at::cat({ model->positionEmbeddings(), model->positionEmbeddings() }, 0);
    model->setPositionEmbeddings(table);
    EXPECT_EQ(model->config().maxPositionEmbeddings, 128);
    ModelInputs inputs;
    inputs.inputIds = at::full({ 1, 100 }, 7, at::kLong);
    EXPECT_NO_THROW(model->forward(inputs));
    // Rows copied from the first 64 give the original outputs on a short input.
    auto expected = spw::test::fixtureExpected("bert_mlm");
    EXPECT_LE(spw::test::maxAbsDifference(model->forward(spw::test::fixtureInputs("bert_mlm")).lastHiddenState,
                  expected.at("last_hidden_state")),
        1e-4);
    EXPECT_THROW(model->setPositionEmbeddings(at::zeros({ 10, 31 })), spw::Error);
}

TEST(ModelLoading, RandomInitialisationFollowsTransformers)
{
    CreateModelOptions options;
    options.layers = 2;
    options.hidden = 64;
    options.heads = 4;
    options.intermediate = 128;
    options.vocab = 4000;
    ModelConfig config = makeNewModelConfig(options);
    auto a = EncoderModel::randomlyInitialized(config, 7);
    auto b = EncoderModel::randomlyInitialized(config, 7);
    auto c = EncoderModel::randomlyInitialized(config, 8);
    auto pa = a->namedParameters();
    auto pb = b->namedParameters();
    auto pc = c->namedParameters();
    ASSERT_EQ(pa.size(), pb.size());
    EXPECT_EQ(pa.front().first, "bert.embeddings.word_embeddings.weight");
    EXPECT_EQ(pa.back().first, "cls.predictions.bias");
    for (std::size_t i = 0; i < pa.size(); ++i)
        EXPECT_TRUE(at::equal(pa[i].second, pb[i].second)) << pa[i].first;
    EXPECT_FALSE(at::equal(pa[0].second, pc[0].second));
    const at::Tensor& words = pa[0].second;
    EXPECT_NEAR(words.std().item<double>(), 0.02, 0.001);
    EXPECT_EQ(words[0].abs().sum().item<double>(), 0.0); // padding row
    for (const auto& [name, tensor] : pa) {
        if (name.find("LayerNorm.weight") != std::string::npos)
            EXPECT_TRUE(at::equal(tensor, at::ones_like(tensor))) << name;
        if (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0)
            EXPECT_TRUE(at::equal(tensor, at::zeros_like(tensor))) << name;
    }
}
