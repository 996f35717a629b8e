// A sweep with masked-LM quality on a small masked-LM (the bert_mlm fixture, 64 positions): every point's numbers
// equal an evaluation run directly at its length with its layout alone (and with none, for dense attention), batch
// sizes share them, lengths beyond the model extend it, the progress counts the evaluations and cancels inside them,
// and what cannot be scored is refused before the sweep.
#include "profile/profile_quality.h"

#include "common/error.h"
#include "common/temp_dir.h"
#include "profile/profile_model.h"
#include "quality/evaluation.h"
#include "quality/quality_test_support.h"
#include "sparsity/sparsity_config.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace spw {
namespace {

namespace fs = std::filesystem;

ProfileLayout layout(const std::string& name, const std::string& json)
{
    return { name, sparsityConfigFromJson(nlohmann::json::parse(json)) };
}

class ProfileQuality : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = test::makeTempDir("spw-profile-quality");
        const std::string folder = test::makeWordModelFolder(m_dir);
        m_model = EncoderModel::load(folder);
        m_tokenizer = Tokenizer::load(folder);
        appendTokenizedText(m_text, *m_tokenizer, test::randomWordText(400, 3), "words");
        m_settings.seqLens = { 48, 64, 80 }; // 80 exceeds the model's 64 positions
        m_settings.batches = { 1, 2 };
        m_settings.layouts = { layout("local", R"({"mode": "local", "block": 16, "num_sliding_window_blocks": 1})"),
            layout("dense16", R"({"mode": "dense", "block": 16})") };
        m_settings.warmup = 0;
        m_settings.repeats = 1;
        m_settings.seed = 5;
        m_settings.extend = true;
    }
    void TearDown() override { fs::remove_all(m_dir); }

    SweepQuality quality() const
    {
        SweepQuality q;
        q.model = m_model.get();
        q.tokenizer = m_tokenizer.get();
        q.text = m_text;
        return q;
    }
    std::string refusal(const EncoderModel& model, const ProfileSettings& settings) const
    {
        SweepQuality q = quality();
        q.model = &model;
        try {
            checkSweepQuality(q, settings);
        } catch (const Error& e) {
            return e.what();
        }
        return "no error";
    }

    std::string m_dir;
    std::unique_ptr<EncoderModel> m_model;
    std::unique_ptr<Tokenizer> m_tokenizer;
    TokenizedText m_text;
    ProfileSettings m_settings;
};

TEST_F(ProfileQuality, EveryPointEqualsADirectEvaluation)
{
    auto swept = bareEncoder(*m_model, {});
    std::vector<ProfilePoint> streamed;
    const std::vector<ProfilePoint> points = runProfileSweepWithQuality(
        *swept, m_settings, quality(), nullptr, [&](const ProfilePoint& p) { streamed.push_back(p); });
    ASSERT_EQ(points.size(), 3u * 2u * 2u);
    ASSERT_EQ(streamed.size(), points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        const ProfilePoint& p = points[i];
        SCOPED_TRACE(p.layout + " at " + std::to_string(p.seqLen) + ", batch " + std::to_string(p.batch));
        ASSERT_TRUE(p.dense.quality && p.sparse.quality);
        ASSERT_TRUE(streamed[i].dense.quality && streamed[i].sparse.quality) << "streamed points are complete";
        EXPECT_EQ(streamed[i].sparse.quality->loss, p.sparse.quality->loss);

        // The same text and settings through evaluateMaskedLm, the layout alone.
        EvaluationSettings direct;
        direct.seqLen = p.seqLen;
        direct.seed = m_settings.seed;
        const auto found = std::find_if(m_settings.layouts.begin(), m_settings.layouts.end(),
            [&](const ProfileLayout& l) { return l.name == p.layout; });
        direct.layouts = { *found };
        const std::vector<EvaluationResult> results = evaluateMaskedLm(*m_model, *m_tokenizer, m_text, direct);
        const bool extended = p.seqLen > 64;
        ASSERT_EQ(results.size(), extended ? 3u : 2u);
        const EvaluationResult& dense = results[extended ? 1 : 0];
        const EvaluationResult& sparse = results.back();
        EXPECT_EQ(dense.seqLen, p.seqLen);
        EXPECT_EQ(p.dense.quality->tokens, dense.tokens);
        EXPECT_DOUBLE_EQ(p.dense.quality->loss, dense.loss);
        EXPECT_DOUBLE_EQ(p.dense.quality->perplexity, dense.perplexity);
        EXPECT_DOUBLE_EQ(p.dense.quality->accuracy, dense.accuracy);
        EXPECT_EQ(p.sparse.quality->tokens, sparse.tokens);
        EXPECT_DOUBLE_EQ(p.sparse.quality->loss, sparse.loss);
        EXPECT_DOUBLE_EQ(p.sparse.quality->perplexity, sparse.perplexity);
        EXPECT_DOUBLE_EQ(p.sparse.quality->accuracy, sparse.accuracy);
        EXPECT_GT(p.sparse.quality->tokens, 30);
    }
    // A local window of one block predicts differently from dense attention; a dense layout does not.
    EXPECT_GT(std::abs(points[0].sparse.quality->loss - points[0].dense.quality->loss), 1e-3);
    EXPECT_NEAR(points[1].sparse.quality->loss, points[1].dense.quality->loss, 1e-5);
    EXPECT_EQ(m_model->config().maxPositionEmbeddings, 64) << "the scored model is left as it was";
}

TEST_F(ProfileQuality, ProgressCountsTheEvaluationsAndCancelsInThem)
{
    auto swept = bareEncoder(*m_model, {});
    std::vector<float> fractions;
    std::size_t reportsBeforeFirstPoint = 0;
    runProfileSweepWithQuality(
        *swept, m_settings, quality(), nullptr,
        [&](const ProfilePoint&) {
            if (reportsBeforeFirstPoint == 0)
                reportsBeforeFirstPoint = fractions.size();
        },
        [&](float f) {
            fractions.push_back(f);
            return true;
        });
    ASSERT_FALSE(fractions.empty());
    EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
    EXPECT_EQ(fractions.back(), 1.0f);
    // Before the first point: the dense and first layout's forwards (one each, no warm-up) and the first length's
    // evaluation, which reports per batch of windows and moves the bar.
    ASSERT_GT(reportsBeforeFirstPoint, 3u);
    EXPECT_GT(fractions[reportsBeforeFirstPoint - 1], fractions[1]);

    // The third report is inside the first evaluation (after the dense and the first layout's forward): cancelled
    // there, the first point never arrives.
    int calls = 0;
    int delivered = 0;
    auto again = bareEncoder(*m_model, {});
    EXPECT_THROW(runProfileSweepWithQuality(
                     *again, m_settings, quality(), nullptr, [&](const ProfilePoint&) { ++delivered; },
                     [&](float) { return ++calls < 3; }),
        Cancelled);
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(delivered, 0);
}

TEST_F(ProfileQuality, RefusesWhatCannotBeScored)
{
    EXPECT_EQ(refusal(*m_model, m_settings), "no error");
    ProfileSettings short8 = m_settings;
    short8.seqLens = { 8, 64 };
    EXPECT_EQ(refusal(*m_model, short8),
        "profile: length 8 (--seq-lens) is below the block 16 of layout local: scoring quality needs at least one "
        "whole block");
    ProfileSettings tiny = m_settings;
    tiny.layouts = { layout("b1", R"({"mode": "dense", "block": 1})") };
    tiny.seqLens = { 2 };
    EXPECT_NE(refusal(*m_model, tiny).find("leaves no room for text"), std::string::npos) << refusal(*m_model, tiny);
    const auto bare = bareEncoder(*m_model, {});
    EXPECT_NE(refusal(*bare, m_settings).find("needs a masked-LM model"), std::string::npos)
        << refusal(*bare, m_settings);
}

} // namespace
} // namespace spw
