// The engine's forward against transformers 5.17's eager float32 outputs for the six fixture checkpoints.
#include "golden.h"

#include <gtest/gtest.h>

using namespace spw;
using spw::test::maxAbsDifference;

namespace {

struct GoldenCase {
    const char* name;
    Architecture architecture;
    bool pooler;
};

class Golden : public ::testing::TestWithParam<GoldenCase> { };

// Compares within `tolerance` and records each maximum difference in the test's XML/log output.
void expectMatches(const ModelOutputs& outputs, const std::map<std::string, at::Tensor>& expected, double tolerance)
{
    ASSERT_EQ(outputs.poolerOutput.has_value(), expected.count("pooler_output") == 1);
    ASSERT_EQ(outputs.logits.has_value(), expected.count("logits") == 1);
    auto compare = [&](const char* name, const at::Tensor& actual) {
        EXPECT_EQ(actual.sizes(), expected.at(name).sizes()) << name;
        double difference = maxAbsDifference(actual, expected.at(name));
        ::testing::Test::RecordProperty(name, std::to_string(difference));
        EXPECT_LE(difference, tolerance) << name;
    };
    compare("last_hidden_state", outputs.lastHiddenState);
    if (outputs.poolerOutput)
        compare("pooler_output", *outputs.poolerOutput);
    if (outputs.logits)
        compare("logits", *outputs.logits);
}

} // namespace

TEST_P(Golden, MatchesTransformers)
{
    const GoldenCase& c = GetParam();
    auto model = EncoderModel::load(spw::test::modelFixture(c.name));
    EXPECT_EQ(model->architecture(), c.architecture);
    EXPECT_EQ(model->hasPooler(), c.pooler);
    EXPECT_EQ(model->sourceDirectory(), spw::test::modelFixture(c.name));
    // The roberta_fp16 reference is its float16 weights computed in float32, as the engine does on CPU, so one
    // tolerance serves all.
    expectMatches(model->forward(spw::test::fixtureInputs(c.name)), spw::test::fixtureExpected(c.name), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Golden,
    ::testing::Values(GoldenCase { "bert_mlm", Architecture::BertForMaskedLM, false },
        GoldenCase { "roberta_fp16", Architecture::RobertaModel, true },
        GoldenCase { "bert_cls_sharded", Architecture::BertForSequenceClassification, true },
        GoldenCase { "roberta_cls", Architecture::RobertaForSequenceClassification, false },
        GoldenCase { "roberta_mlm", Architecture::RobertaForMaskedLM, false },
        GoldenCase { "bert_legacy_names", Architecture::BertModel, true }),
    [](const auto& info) { return std::string(info.param.name); });

TEST(GoldenDetails, Float16CheckpointKeepsItsDtypeAndComputesInFloat32OnCpu)
{
    LoadOptions options;
    options.dtype = at::kHalf;
    auto model = EncoderModel::load(spw::test::modelFixture("roberta_fp16"), options);
    EXPECT_EQ(model->sourceDtype(), at::kHalf);
    EXPECT_EQ(model->computeDtype(), at::kFloat);
    auto outputs = model->forward(spw::test::fixtureInputs("roberta_fp16"));
    EXPECT_EQ(outputs.lastHiddenState.scalar_type(), at::kFloat);
}

TEST(GoldenDetails, PrefixlessTensorsGiveTheSameOutputsAndKeepTheirNames)
{
    const std::string dir = spw::test::modelFixture("bert_mlm");
    auto tensors = loadCheckpointTensors(dir);
    std::map<std::string, at::Tensor> stripped;
    for (const auto& [name, tensor] : tensors)
        stripped[name.rfind("bert.", 0) == 0 ? name.substr(5) : name] = tensor;
    ModelConfig config = loadModelConfig(dir);
    auto prefixed = EncoderModel::fromTensors(config, tensors);
    auto bare = EncoderModel::fromTensors(config, stripped);
    EXPECT_EQ(prefixed->basePrefix(), "bert.");
    EXPECT_EQ(bare->basePrefix(), "");
    auto inputs = spw::test::fixtureInputs("bert_mlm");
    EXPECT_EQ(maxAbsDifference(prefixed->forward(inputs).lastHiddenState, bare->forward(inputs).lastHiddenState), 0.0);
    // Export names are the checkpoint's own: every named parameter exists in the file under that name.
    for (const auto& [name, tensor] : prefixed->namedParameters())
        EXPECT_EQ(tensors.count(name), 1u) << name;
    for (const auto& [name, tensor] : bare->namedParameters())
        EXPECT_EQ(stripped.count(name), 1u) << name;
}

TEST(GoldenDetails, NamedParametersRoundTripAndCountLikeTransformers)
{
    const std::string dir = spw::test::modelFixture("bert_legacy_names");
    auto model = EncoderModel::load(dir);
    std::map<std::string, at::Tensor> written;
    for (const auto& [name, tensor] : model->namedParameters()) {
        EXPECT_EQ(name.find("gamma"), std::string::npos) << name; // legacy names are modernised
        written[name] = tensor;
    }
    auto reloaded = EncoderModel::fromTensors(model->config(), written);
    auto inputs = spw::test::fixtureInputs("bert_legacy_names");
    EXPECT_EQ(maxAbsDifference(model->forward(inputs).lastHiddenState, reloaded->forward(inputs).lastHiddenState), 0.0);
    // transformers' index.json records total_parameters 23587 for bert_cls_sharded.
    EXPECT_EQ(EncoderModel::load(spw::test::modelFixture("bert_cls_sharded"))->parameterCount(), 23587);
}
