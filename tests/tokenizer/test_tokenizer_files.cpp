// Malformed or missing tokenizer files: each is an spw::Error whose message names the file (and line or key).
#include "common/error.h"
#include "common/run_cli.h"
#include "golden_cases.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace spw {
namespace {

namespace fs = std::filesystem;

class TokenizerFilesTest : public ::testing::Test {
protected:
    void SetUp() override { m_dir = test::makeTempDir("spw-tokenizer-files"); }
    void TearDown() override { fs::remove_all(m_dir); }

    void write(const std::string& name, const std::string& content)
    {
        std::ofstream(fs::path(m_dir) / name, std::ios::binary) << content;
    }
    void copyFixture(const std::string& folder, const std::string& name)
    {
        fs::copy_file(fs::path(test::tokenizerFixture(folder)) / name, fs::path(m_dir) / name);
    }
    // The message of the spw::Error that loading throws ("" when it does not throw).
    std::string loadError()
    {
        try {
            Tokenizer::load(m_dir);
        } catch (const Error& e) {
            return e.what();
        }
        return {};
    }

    std::string m_dir;
};

TEST_F(TokenizerFilesTest, FolderWithoutTokenizerFilesNamesWhatWasLookedFor)
{
    write("config.json", "{}");
    EXPECT_FALSE(Tokenizer::hasTokenizerFiles(m_dir));
    auto message = loadError();
    EXPECT_NE(message.find(m_dir), std::string::npos) << message;
    EXPECT_NE(message.find("tokenizer.json"), std::string::npos) << message;
    EXPECT_NE(message.find("vocab.txt"), std::string::npos) << message;
    EXPECT_NE(message.find("merges.txt"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, MissingFolderIsNamed)
{
    fs::remove_all(m_dir);
    auto message = loadError();
    EXPECT_NE(message.find(m_dir), std::string::npos) << message;
    fs::create_directory(m_dir);
}

TEST_F(TokenizerFilesTest, VocabJsonThatIsNotJson)
{
    write("vocab.json", "{\"<s>\": 0, \"a\": ");
    copyFixture("roberta_vocab", "merges.txt");
    auto message = loadError();
    EXPECT_NE(message.find("vocab.json"), std::string::npos) << message;
    EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, VocabJsonWithANonIntegerId)
{
    write("vocab.json", "{\"<s>\": 0, \"a\": \"one\"}");
    write("merges.txt", "#version: 0.2\n");
    auto message = loadError();
    EXPECT_NE(message.find("vocab.json"), std::string::npos) << message;
    EXPECT_NE(message.find("'a'"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, VocabJsonWithoutMerges)
{
    copyFixture("roberta_vocab", "vocab.json");
    auto message = loadError();
    EXPECT_NE(message.find("merges.txt"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, MalformedMergesLineIsNamedWithItsLineNumber)
{
    copyFixture("roberta_vocab", "vocab.json");
    write("merges.txt", "#version: 0.2\nĠ t\nh e l\n");
    auto message = loadError();
    EXPECT_NE(message.find("merges.txt line 3"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, MergeOfUnknownTokensIsNamed)
{
    copyFixture("roberta_vocab", "vocab.json");
    write("merges.txt", "#version: 0.2\nĠ t\nqqq zzz\n");
    auto message = loadError();
    EXPECT_NE(message.find("merges.txt"), std::string::npos) << message;
    EXPECT_NE(message.find("merge 2"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, TokenizerJsonOfAnUnknownModelType)
{
    nlohmann::json file = { { "model", { { "type", "Unigram" }, { "vocab", nlohmann::json::object() } } } };
    write("tokenizer.json", file.dump());
    auto message = loadError();
    EXPECT_NE(message.find("tokenizer.json"), std::string::npos) << message;
    EXPECT_NE(message.find("Unigram"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, TokenizerJsonThatIsNotJson)
{
    write("tokenizer.json", "{\"model\": [");
    auto message = loadError();
    EXPECT_NE(message.find("tokenizer.json is not valid JSON"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, TokenizerJsonWithAnUnsupportedNormalizer)
{
    std::ifstream in(fs::path(test::tokenizerFixture("bert_json")) / "tokenizer.json");
    auto file = nlohmann::json::parse(in);
    file["normalizer"] = { { "type", "Precompiled" } };
    write("tokenizer.json", file.dump());
    auto message = loadError();
    EXPECT_NE(message.find("tokenizer.json"), std::string::npos) << message;
    EXPECT_NE(message.find("Precompiled"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, TokenizerConfigWithABadMaxLengthNamesTheKey)
{
    copyFixture("bert_vocab", "vocab.txt");
    write("tokenizer_config.json", "{\"model_max_length\": \"long\"}");
    auto message = loadError();
    EXPECT_NE(message.find("tokenizer_config.json"), std::string::npos) << message;
    EXPECT_NE(message.find("model_max_length"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, TransformersUnsetMaxLengthMeansNone)
{
    copyFixture("bert_vocab", "vocab.txt");
    write("tokenizer_config.json", "{\"model_max_length\": 1000000000000000019884624838656}");
    auto tokenizer = Tokenizer::load(m_dir);
    EXPECT_FALSE(tokenizer->modelMaxLength().has_value());
    EXPECT_THROW(
        tokenizer->encode("padding needs a length", std::nullopt, { true, std::nullopt, Padding::MaxLength }), Error);
}

TEST_F(TokenizerFilesTest, MaxLengthShorterThanTheSpecialTokensIsAnError)
{
    auto tokenizer = Tokenizer::load(test::tokenizerFixture("bert_vocab"));
    EXPECT_THROW(tokenizer->encode("a", std::string("b"), { true, 2, Padding::None }), Error);
    EXPECT_EQ(tokenizer->encode("a", std::string("b"), { true, 3, Padding::None }).ids.size(), 3u);
}

TEST_F(TokenizerFilesTest, InvalidUtf8TextIsAnError)
{
    auto tokenizer = Tokenizer::load(test::tokenizerFixture("roberta_vocab"));
    EXPECT_THROW(tokenizer->encode("bad \xff byte"), Error);
}

} // namespace
} // namespace spw
