// The demo tokenizer files: what writeDemoTokenizerFiles writes is what transformers was checked to load (the
// bert_vocab / roberta_vocab fixture folders, written by the fixture script with model_max_length 512), and our
// loader reads it back.
#include "common/error.h"
#include "common/temp_dir.h"
#include "golden_cases.h"
#include "tokenizer/demo_tokenizer.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace spw {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

struct DemoCase {
    ModelFamily family;
    std::string fixture;
    std::vector<std::string> vocabFiles;
};

class DemoTokenizerTest : public ::testing::TestWithParam<DemoCase> {
protected:
    void SetUp() override { m_dir = test::makeTempDir("spw-demo-tokenizer"); }
    void TearDown() override { fs::remove_all(m_dir); }
    std::string m_dir;
};

TEST_P(DemoTokenizerTest, WritesTheFilesTransformersLoaded)
{
    const auto& param = GetParam();
    writeDemoTokenizerFiles(m_dir, param.family, 512);
    fs::path fixture = test::tokenizerFixture(param.fixture);
    for (const auto& name : param.vocabFiles)
        EXPECT_EQ(readFile(fs::path(m_dir) / name), readFile(fixture / name)) << name;
    for (const std::string name : { "tokenizer_config.json", "special_tokens_map.json" })
        EXPECT_EQ(
            nlohmann::json::parse(readFile(fs::path(m_dir) / name)), nlohmann::json::parse(readFile(fixture / name)))
            << name;
}

TEST_P(DemoTokenizerTest, LoadsBackAndTokenizesAsTransformers)
{
    const auto& param = GetParam();
    writeDemoTokenizerFiles(m_dir, param.family, 4096);
    auto tokenizer = Tokenizer::load(m_dir);
    EXPECT_EQ(tokenizer->modelMaxLength(), 4096);
    EXPECT_EQ(tokenizer->vocabSize(), demoVocabularySize(param.family));
    const auto& meta = test::goldenData()["folders"][param.fixture]["variants"]["auto"]["meta"];
    EXPECT_EQ(demoVocabularySize(param.family), meta["len"].get<std::int64_t>());
    for (const std::string name : { "fox", "accents", "pair_basic" }) {
        const auto& golden = test::goldenCase(param.fixture, name);
        std::optional<std::string> pair;
        if (golden["pair"].is_string())
            pair = golden["pair"].get<std::string>();
        auto encoding = tokenizer->encode(golden["text"], pair);
        EXPECT_EQ(encoding.ids, golden["input_ids"].get<std::vector<std::int64_t>>()) << name;
    }
}

TEST_P(DemoTokenizerTest, MissingFolderIsAnError)
{
    EXPECT_THROW(writeDemoTokenizerFiles(m_dir + "/absent", GetParam().family, 512), Error);
}

INSTANTIATE_TEST_SUITE_P(Families, DemoTokenizerTest,
    ::testing::Values(DemoCase { ModelFamily::Bert, "bert_vocab", { "vocab.txt" } },
        DemoCase { ModelFamily::Roberta, "roberta_vocab", { "vocab.json", "merges.txt" } }),
    [](const auto& info) { return info.param.family == ModelFamily::Bert ? "Bert" : "Roberta"; });

} // namespace
} // namespace spw
