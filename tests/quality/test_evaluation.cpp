// The evaluation runner on a small masked-LM: the model as it is against an independent computation (its full
// forward, logits at every position, cross-entropy in double precision), a dense layout against the model as it
// is, extension beyond the model's length, and the mistakes it refuses.
#include "quality/evaluation.h"

#include "common/error.h"
#include "common/temp_dir.h"
#include "convert/position_extension.h"
#include "model/golden.h"
#include "quality/evaluation_windows.h"
#include "quality/quality_test_support.h"
#include "sparsity/sparsity_config.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace spw {
namespace {

namespace fs = std::filesystem;

SparsityConfig sparsity(const std::string& json)
{
    return sparsityConfigFromJson(nlohmann::json::parse(json));
}

class Evaluation : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = test::makeTempDir("spw-evaluation");
        m_folder = test::makeWordModelFolder(m_dir);
        m_model = EncoderModel::load(m_folder);
        m_tokenizer = Tokenizer::load(m_folder);
        appendTokenizedText(m_text, *m_tokenizer, test::randomWordText(300, 1), "words");
        appendTokenizedText(m_text, *m_tokenizer, test::randomWordText(70, 2), "more words");
    }
    void TearDown() override { fs::remove_all(m_dir); }

    EvaluationSettings settings(std::int64_t seqLen) const
    {
        EvaluationSettings s;
        s.seqLen = seqLen;
        s.seed = 9;
        s.batch = 3;
        return s;
    }

    std::string m_dir, m_folder;
    std::unique_ptr<EncoderModel> m_model;
    std::unique_ptr<Tokenizer> m_tokenizer;
    TokenizedText m_text;
};

TEST_F(Evaluation, TheModelAsItIsMatchesAnIndependentComputation)
{
    ASSERT_EQ(m_text.tokenCount, 370);
    const std::vector<EvaluationResult> results = evaluateMaskedLm(*m_model, *m_tokenizer, m_text, settings(32));
    ASSERT_EQ(results.size(), 1u);
    const EvaluationResult& asIs = results[0];
    EXPECT_EQ(asIs.configuration, "as-is");
    EXPECT_EQ(asIs.seqLen, 32);

    // The same masked windows, scored from the full model's own logits (every position, through its head).
    MaskingOptions masking;
    masking.seed = 9;
    masking.maskTokenId = 4;
    masking.vocabSize = test::kWordVocabSize;
    masking.neverChosen = { 0, 2, 3, 4 };
    const std::vector<EvaluationWindow> windows = makeWindows(maskText(m_text, masking), 32, { { 2 }, { 3 } });
    double lossSum = 0;
    std::int64_t tokens = 0, correct = 0;
    for (const EvaluationWindow& window : windows) {
        ModelInputs inputs;
        inputs.inputIds = at::tensor(window.inputIds, at::kLong).unsqueeze(0);
        const at::Tensor logits = m_model->forward(inputs).logits->to(at::kDouble)[0];
        const at::Tensor logProbabilities = logits.log_softmax(-1);
        for (std::size_t t = 0; t < window.labels.size(); ++t) {
            if (window.labels[t] == kNotScored)
                continue;
            lossSum -= logProbabilities[std::int64_t(t)][window.labels[t]].item<double>();
            correct += logits[std::int64_t(t)].argmax().item<std::int64_t>() == window.labels[t];
            ++tokens;
        }
    }
    EXPECT_EQ(asIs.tokens, tokens);
    EXPECT_NEAR(asIs.tokens, 0.15 * 370, 20);
    EXPECT_NEAR(asIs.loss, lossSum / double(tokens), 1e-5);
    EXPECT_NEAR(asIs.perplexity, std::exp(lossSum / double(tokens)), 1e-4);
    EXPECT_DOUBLE_EQ(asIs.accuracy, double(correct) / double(tokens));
    EXPECT_GT(asIs.seconds, 0);
}

TEST_F(Evaluation, ADenseLayoutEqualsTheModelAsItIsAndASparseOneDiffers)
{
    EvaluationSettings s = settings(64);
    s.layouts = { { "dense", sparsity(R"({"mode": "dense", "block": 16})") },
        { "local", sparsity(R"({"mode": "local", "block": 16, "num_sliding_window_blocks": 1})") } };
    const std::vector<EvaluationResult> results = evaluateMaskedLm(*m_model, *m_tokenizer, m_text, s);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[1].configuration, "dense");
    EXPECT_EQ(results[1].seqLen, 64);
    EXPECT_EQ(results[1].tokens, results[0].tokens);
    EXPECT_NEAR(results[1].loss, results[0].loss, 1e-5);
    EXPECT_DOUBLE_EQ(results[1].accuracy, results[0].accuracy);
    // One block of 16 tokens seen by each token: a different model, on the same tokens.
    EXPECT_EQ(results[2].tokens, results[0].tokens);
    EXPECT_GT(std::abs(results[2].loss - results[0].loss), 1e-3);
    EXPECT_EQ(m_model->layerCount(), 2);
    EXPECT_FALSE(m_model->selfAttention(0).sparseAttention()) << "the model given is left as it is";
}

TEST_F(Evaluation, LongerWindowsExtendTheModel)
{
    EvaluationSettings s = settings(100);
    s.layouts = { { "dense", sparsity(R"({"mode": "dense", "block": 16})") } };
    std::vector<std::string> delivered;
    const auto results = evaluateMaskedLm(
        *m_model, *m_tokenizer, m_text, s, [&](const EvaluationResult& r) { delivered.push_back(r.configuration); });
    EXPECT_EQ(delivered, (std::vector<std::string> { "as-is", "extended-dense", "dense" }));
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0].seqLen, 64); // the model's own maximum
    EXPECT_EQ(results[1].seqLen, 100);
    EXPECT_EQ(results[2].seqLen, 100);
    EXPECT_EQ(results[1].tokens, results[0].tokens);
    EXPECT_EQ(results[2].tokens, results[0].tokens);
    // A dense layout at 100 tokens (padded to 112) is the extended dense model.
    EXPECT_NEAR(results[2].loss, results[1].loss, 1e-5);
    EXPECT_EQ(m_model->config().maxPositionEmbeddings, 64) << "the model given keeps its position table";
}

// The profile compares configurations at N only: beyond the model's length it leaves out the shorter "as-is" run,
// and what remains equals the full evaluation's runs at N. Up to the model's length "as-is" is the run at N.
TEST_F(Evaluation, AsIsOnlyAtNLeavesOutTheShorterRunOnlyBeyondTheModelsLength)
{
    EvaluationSettings full = settings(100);
    full.layouts = { { "bslongformer", sparsity(R"({"mode": "bslongformer", "block": 16})") } };
    const auto all = evaluateMaskedLm(*m_model, *m_tokenizer, m_text, full);
    ASSERT_EQ(all.size(), 3u);

    EvaluationSettings atN = full;
    atN.asIsOnlyAtN = true;
    std::vector<float> fractions;
    const auto some = evaluateMaskedLm(*m_model, *m_tokenizer, m_text, atN, {}, [&](float f) {
        fractions.push_back(f);
        return true;
    });
    ASSERT_EQ(some.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(some[i].configuration, all[i + 1].configuration);
        EXPECT_EQ(some[i].seqLen, 100);
        EXPECT_EQ(some[i].tokens, all[i + 1].tokens);
        EXPECT_DOUBLE_EQ(some[i].loss, all[i + 1].loss);
        EXPECT_DOUBLE_EQ(some[i].accuracy, all[i + 1].accuracy);
    }
    // Progress counts only the batches that run: one report before each of the n batches at k/n, then 1.
    ASSERT_GE(fractions.size(), 3u);
    const std::size_t batches = fractions.size() - 1;
    for (std::size_t k = 0; k < batches; ++k)
        EXPECT_NEAR(fractions[k], double(k) / double(batches), 1e-6) << "report " << k;
    EXPECT_EQ(fractions.back(), 1.0f);

    EvaluationSettings within = settings(48);
    within.asIsOnlyAtN = true;
    const auto short48 = evaluateMaskedLm(*m_model, *m_tokenizer, m_text, within);
    ASSERT_EQ(short48.size(), 1u);
    EXPECT_EQ(short48[0].configuration, "as-is");
    EXPECT_EQ(short48[0].seqLen, 48);
}

// Longformer's baseline: the same extension with the new rows drawn at random. Scored through an independent
// path: the model given that table up front (rows from N(0, 0.2²), its config's initializer_range) and evaluated as
// it is at the longer length.
TEST_F(Evaluation, RandomNewPositionsAreTheModelWithThatTableAsItIs)
{
    EvaluationSettings s = settings(100);
    s.randomPositions = true;
    s.layouts = { { "dense", sparsity(R"({"mode": "dense", "block": 16})") } };
    const auto results = evaluateMaskedLm(*m_model, *m_tokenizer, m_text, s);
    ASSERT_EQ(results.size(), 4u);
    EXPECT_EQ(results[2].configuration, "extended-random-dense");
    EXPECT_EQ(results[2].seqLen, 100);
    EXPECT_EQ(results[2].tokens, results[1].tokens);
    EXPECT_GT(std::abs(results[2].loss - results[1].loss), 1e-3) << "random rows are not the copied ones";
    EXPECT_NEAR(results[3].loss, results[1].loss, 1e-5) << "the layouts still run on the copied rows";

    auto randomised = EncoderModel::load(m_folder);
    randomised->setPositionEmbeddings(extendPositionTableRandomly(randomised->positionEmbeddings(), 0, 100, 0.2, 9));
    const auto independent = evaluateMaskedLm(*randomised, *m_tokenizer, m_text, settings(100));
    ASSERT_EQ(independent.size(), 1u);
    EXPECT_EQ(independent[0].tokens, results[2].tokens);
    EXPECT_NEAR(independent[0].loss, results[2].loss, 1e-5);
    EXPECT_DOUBLE_EQ(independent[0].accuracy, results[2].accuracy);
}

TEST_F(Evaluation, ProgressCancels)
{
    int calls = 0;
    EXPECT_THROW(evaluateMaskedLm(*m_model, *m_tokenizer, m_text, settings(32), {}, [&](float) { return ++calls < 3; }),
        Cancelled);
    EXPECT_EQ(calls, 3);
    std::vector<float> fractions;
    evaluateMaskedLm(*m_model, *m_tokenizer, m_text, settings(32), {}, [&](float f) {
        fractions.push_back(f);
        return true;
    });
    ASSERT_GE(fractions.size(), 3u);
    EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
    EXPECT_EQ(fractions.back(), 1.0f);
}

TEST_F(Evaluation, RefusesWhatItCannotEvaluate)
{
    auto message = [&](const EncoderModel& model, const EvaluationSettings& s) {
        try {
            evaluateMaskedLm(model, *m_tokenizer, m_text, s);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EvaluationSettings belowBlock = settings(8);
    belowBlock.layouts = { { "wide", sparsity(R"({"mode": "dense", "block": 16})") } };
    EXPECT_EQ(message(*m_model, belowBlock), "sequence length 8 (--seq-len) is below the block 16 of layout wide");
    EvaluationSettings heads = settings(32);
    heads.layouts = { { "heads", sparsity(R"({"mode": "dense", "block": 16, "num_heads": 3})") } };
    EXPECT_NE(message(*m_model, heads).find("layout heads: "), std::string::npos) << message(*m_model, heads);
    EvaluationSettings tiny = settings(32);
    tiny.maskProbability = 1e-9;
    EXPECT_NE(message(*m_model, tiny).find("no token of the text was chosen"), std::string::npos);
    EvaluationSettings randomWithoutExtension = settings(64);
    randomWithoutExtension.randomPositions = true;
    EXPECT_EQ(message(*m_model, randomWithoutExtension),
        "random new positions (--random-positions) need a length above the model's maximum 64, got 64 (--seq-len)");
    const auto classifier = EncoderModel::load(test::modelFixture("bert_cls_sharded"));
    EXPECT_NE(message(*classifier, settings(32)).find("needs a masked-LM model"), std::string::npos);
}

} // namespace
} // namespace spw
