// A conversion's quality measured without converting equals converting for real: the model converted, exported,
// loaded back from its folder and evaluated as it is, on the same text. For a layout in every layer of a dense
// model (measured as one evaluation with the conversion as a layout), for some layers only and for positions only
// (measured on a converted copy), and for a model that is already sparse.
#include "quality/conversion_quality.h"

#include "common/temp_dir.h"
#include "convert/sparse_attention_record.h"
#include "export/export_model.h"
#include "quality/quality_test_support.h"
#include "sparsity/sparsity_config.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace spw {
namespace {

namespace fs = std::filesystem;

SparsityConfig sparsity(const std::string& json)
{
    return sparsityConfigFromJson(nlohmann::json::parse(json));
}

class ConversionQualityTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = test::makeTempDir("spw-conversion-quality");
        m_folder = test::makeWordModelFolder(m_dir);
        m_model = loadForRun(m_folder);
        m_tokenizer = Tokenizer::load(m_folder);
        appendTokenizedText(m_text, *m_tokenizer, test::randomWordText(500, 11), "words");
        m_settings.seed = 4;
        m_settings.batch = 3;
    }
    void TearDown() override { fs::remove_all(m_dir); }

    // Converts `source` for real: loaded from its folder, converted, exported, loaded back, evaluated as it is.
    EvaluationResult convertedForReal(const std::string& source, const ConversionPlan& plan, const std::string& name)
    {
        std::unique_ptr<EncoderModel> model = loadForRun(source);
        const ConversionRecord record = applyConversionPlan(*model, plan);
        const std::string out = (fs::path(m_dir) / name).string();
        exportModel(*model, record, source, out, false);
        const std::unique_ptr<EncoderModel> exported = loadForRun(out);
        EvaluationSettings asIs = m_settings;
        return evaluateMaskedLm(*exported, *Tokenizer::load(out), m_text, asIs).front();
    }

    static void expectSame(const EvaluationResult& measured, const EvaluationResult& real)
    {
        EXPECT_EQ(measured.seqLen, real.seqLen);
        EXPECT_EQ(measured.tokens, real.tokens);
        EXPECT_NEAR(measured.loss, real.loss, 1e-6);
        EXPECT_NEAR(measured.perplexity, real.perplexity, 1e-5);
        EXPECT_DOUBLE_EQ(measured.accuracy, real.accuracy);
    }

    std::string m_dir, m_folder;
    std::unique_ptr<EncoderModel> m_model;
    std::unique_ptr<Tokenizer> m_tokenizer;
    TokenizedText m_text;
    EvaluationSettings m_settings;
};

TEST_F(ConversionQualityTest, ALayoutInEveryLayerEqualsTheConvertedModel)
{
    ConversionPlan plan;
    plan.maxLength = 96;
    plan.sparsity = sparsity(R"({"mode": "bigbird", "block": 16, "num_random_blocks": 1})");
    plan.seed = 7; // random blocks: the same seed must reach the layout
    const ConversionQuality quality = evaluateConversion(*m_model, *m_tokenizer, m_text, plan, m_settings);
    EXPECT_TRUE(quality.throughLayout);
    expectSame(quality.converted, convertedForReal(m_folder, plan, "all-layers"));
    EXPECT_EQ(quality.converted.configuration, "converted");
    EXPECT_EQ(quality.converted.seqLen, 96);

    // The original as it is, at its own 64 tokens; dense attention at 96 beside it; all on the same tokens.
    const EvaluationResult original = evaluateMaskedLm(*m_model, *m_tokenizer, m_text, m_settings).front();
    expectSame(quality.original, original);
    ASSERT_TRUE(quality.extendedDense);
    EXPECT_EQ(quality.extendedDense->seqLen, 96);
    EXPECT_EQ(quality.extendedDense->tokens, original.tokens);
    EXPECT_GT(std::abs(quality.converted.loss - quality.extendedDense->loss), 1e-4) << "the layout matters";
}

TEST_F(ConversionQualityTest, SomeLayersOrPositionsOnlyAreMeasuredOnAConvertedCopy)
{
    ConversionPlan someLayers;
    someLayers.maxLength = 80;
    someLayers.sparsity = sparsity(R"({"mode": "local", "block": 16, "num_sliding_window_blocks": 1})");
    someLayers.layers = std::vector<int> { 1 };
    const ConversionQuality partial = evaluateConversion(*m_model, *m_tokenizer, m_text, someLayers, m_settings);
    EXPECT_FALSE(partial.throughLayout);
    expectSame(partial.converted, convertedForReal(m_folder, someLayers, "layer-1"));
    ASSERT_TRUE(partial.extendedDense);

    ConversionPlan positions;
    positions.maxLength = 80;
    const ConversionQuality extended = evaluateConversion(*m_model, *m_tokenizer, m_text, positions, m_settings);
    EXPECT_TRUE(extended.throughLayout);
    EXPECT_FALSE(extended.extendedDense) << "the extension is the conversion itself";
    expectSame(extended.converted, convertedForReal(m_folder, positions, "positions"));
    EXPECT_TRUE(sparseLayers(*m_model).empty()) << "the model measured is left as it is";
    EXPECT_EQ(m_model->config().maxPositionEmbeddings, 64);
}

TEST_F(ConversionQualityTest, AModelAlreadySparseKeepsItsLayersWhenExtended)
{
    ConversionPlan first;
    first.sparsity = sparsity(R"({"mode": "local", "block": 16, "num_sliding_window_blocks": 1})");
    const std::string sparseFolder = (fs::path(m_dir) / "sparse").string();
    {
        std::unique_ptr<EncoderModel> model = loadForRun(m_folder);
        exportModel(*model, applyConversionPlan(*model, first), m_folder, sparseFolder, false);
    }
    const std::unique_ptr<EncoderModel> sparse = loadForRun(sparseFolder);
    ASSERT_FALSE(sparseLayers(*sparse).empty());
    ConversionPlan longer;
    longer.maxLength = 96;
    const ConversionQuality quality = evaluateConversion(*sparse, *m_tokenizer, m_text, longer, m_settings);
    EXPECT_FALSE(quality.throughLayout);
    expectSame(quality.converted, convertedForReal(sparseFolder, longer, "sparse-longer"));
    expectSame(quality.original, evaluateMaskedLm(*sparse, *m_tokenizer, m_text, m_settings).front());
}

TEST_F(ConversionQualityTest, RefusesAModelWithoutAMaskedLmHead)
{
    const auto classifier = EncoderModel::load(std::string(SPW_FIXTURES_DIR) + "/models/bert_cls_sharded");
    ConversionPlan plan;
    plan.maxLength = 96;
    try {
        checkConversionQuality(*classifier, *m_tokenizer, plan, m_settings);
        FAIL() << "expected spw::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("needs a masked-LM model"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace spw
