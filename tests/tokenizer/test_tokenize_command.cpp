// `sparse-workbench-cli tokenize`: the same ids as transformers, and exit code 2 with a one-line message for
// every input mistake.
#include "common/available_memory.h"
#include "common/run_cli.h"
#include "golden_cases.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace spw {
namespace {

using test::runCli;

void expectMatchesGolden(const test::CliResult& result, const nlohmann::json& golden)
{
    ASSERT_EQ(result.exitCode, 0) << result.err;
    auto out = nlohmann::json::parse(result.out);
    EXPECT_EQ(out["input_ids"], golden["input_ids"]);
    EXPECT_EQ(out["token_type_ids"], golden["token_type_ids"]);
    EXPECT_EQ(out["attention_mask"], golden["attention_mask"]);
    EXPECT_EQ(out["tokens"].size(), golden["tokens"].size());
}

TEST(TokenizeCommand, PrintsTransformersIdsForOneText)
{
    const auto& golden = test::goldenCase("bert_vocab", "accents");
    expectMatchesGolden(runCli({ "tokenize", test::tokenizerFixture("bert_vocab"), golden["text"] }), golden);
    auto out = nlohmann::json::parse(runCli({ "tokenize", test::tokenizerFixture("bert_vocab"), golden["text"] }).out);
    EXPECT_EQ(out["tokens"], golden["tokens"]);
}

TEST(TokenizeCommand, PrintsTransformersIdsForAPair)
{
    const auto& golden = test::goldenCase("roberta_json", "pair_basic");
    expectMatchesGolden(
        runCli({ "tokenize", test::tokenizerFixture("roberta_json"), golden["text"], "--pair", golden["pair"] }),
        golden);
}

TEST(TokenizeCommand, TruncatesAndPads)
{
    const auto& golden = test::goldenCase("bert_json", "pad_pair");
    expectMatchesGolden(runCli({ "tokenize", test::tokenizerFixture("bert_json"), golden["text"], "--pair",
                            golden["pair"], "--max-length", "32", "--padding" }),
        golden);
    const auto& truncated = test::goldenCase("roberta_vocab", "trunc_pair_both_long");
    expectMatchesGolden(runCli({ "tokenize", test::tokenizerFixture("roberta_vocab"), truncated["text"], "--pair",
                            truncated["pair"], "--max-length", "20" }),
        truncated);
}

TEST(TokenizeCommand, FolderWithoutTokenizerFilesExitsTwo)
{
    std::string dir = test::makeTempDir("spw-tokenize-empty");
    auto result = runCli({ "tokenize", dir, "hello" });
    std::filesystem::remove_all(dir);
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_NE(result.err.find(dir), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("tokenizer.json"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("vocab.txt"), std::string::npos) << result.err;
    EXPECT_EQ(result.out, "");
}

TEST(TokenizeCommand, UsageMistakesExitTwo)
{
    const std::string dir = test::tokenizerFixture("bert_vocab");
    EXPECT_EQ(runCli({ "tokenize", dir }).exitCode, 2);
    EXPECT_EQ(runCli({ "tokenize", dir, "text", "--max-length", "zero" }).exitCode, 2);
    EXPECT_EQ(runCli({ "tokenize", dir, "text", "--max-length", "0" }).exitCode, 2);
    auto tooShort = runCli({ "tokenize", dir, "text", "--pair", "b", "--max-length", "2" });
    EXPECT_EQ(tooShort.exitCode, 2);
    EXPECT_NE(tooShort.err.find("max length"), std::string::npos) << tooShort.err;
    EXPECT_EQ(runCli({ "tokenize", dir, "text", "--unknown" }).exitCode, 2);
}

// A folder made from a fixture with one file replaced, removed again at the end of the test.
class HostileTokenizerFolder {
public:
    HostileTokenizerFolder(const std::string& fixture, const std::string& file, const std::string& content)
        : m_dir(test::makeTempDir("spw-tokenize-hostile"))
    {
        std::filesystem::remove_all(m_dir);
        std::filesystem::copy(test::tokenizerFixture(fixture), m_dir);
        std::ofstream(std::filesystem::path(m_dir) / file, std::ios::binary | std::ios::trunc) << content;
    }
    ~HostileTokenizerFolder() { std::filesystem::remove_all(m_dir); }
    const std::string& path() const { return m_dir; }

private:
    std::string m_dir;
};

// Exit code 2, nothing on stdout, and one line on stderr holding each of `named`.
void expectOneLineInputError(const test::CliResult& result, const std::vector<std::string>& named)
{
    EXPECT_EQ(result.exitCode, 2) << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    for (const auto& text : named)
        EXPECT_NE(result.err.find(text), std::string::npos) << "no '" << text << "' in: " << result.err;
}

nlohmann::json fixtureJson(const std::string& folder, const std::string& file)
{
    std::ifstream in(std::filesystem::path(test::tokenizerFixture(folder)) / file);
    return nlohmann::json::parse(in);
}

TEST(TokenizeCommand, NegativeTokenIdsExitTwo)
{
    auto tokenizerJson = fixtureJson("bert_json", "tokenizer.json");
    tokenizerJson["added_tokens"][1]["id"] = -1;
    HostileTokenizerFolder added("bert_json", "tokenizer.json", tokenizerJson.dump());
    expectOneLineInputError(
        runCli({ "tokenize", added.path(), "hello [UNK]" }), { "tokenizer.json", "'added_tokens' id", "-1" });

    HostileTokenizerFolder decoder(
        "bert_vocab", "tokenizer_config.json", R"({"added_tokens_decoder": {"-7": {"content": "[X]"}}})");
    expectOneLineInputError(runCli({ "tokenize", decoder.path(), "hello [X]" }),
        { "tokenizer_config.json", "'added_tokens_decoder'", "-7" });
}

TEST(TokenizeCommand, HugeTokenIdsExitTwoBeforeAllocating)
{
    auto vocab = fixtureJson("roberta_vocab", "vocab.json");
    vocab["hello"] = 1000000000;
    HostileTokenizerFolder folder("roberta_vocab", "vocab.json", vocab.dump());
    expectOneLineInputError(
        runCli({ "tokenize", folder.path(), "hello" }), { "vocab.json", "\"hello\"", "1000000000" });
}

TEST(TokenizeCommand, EmptySpecialTokenExitsTwo)
{
    auto config = fixtureJson("bert_vocab", "tokenizer_config.json");
    config["cls_token"] = "";
    HostileTokenizerFolder folder("bert_vocab", "tokenizer_config.json", config.dump());
    expectOneLineInputError(runCli({ "tokenize", folder.path(), "hello" }), { "tokenizer_config.json", "'cls_token'" });
}

TEST(TokenizeCommand, PaddingThatCannotFitInMemoryExitsTwo)
{
    // tokenizer_config.json may name any length below 1e18 (larger means "none"); padding to 1e17 tokens is
    // refused with its size before anything is allocated.
    auto config = fixtureJson("bert_vocab", "tokenizer_config.json");
    config["model_max_length"] = 100000000000000000;
    HostileTokenizerFolder folder("bert_vocab", "tokenizer_config.json", config.dump());
    expectOneLineInputError(runCli({ "tokenize", folder.path(), "hello", "--padding" }),
        { "100000000000000000 tokens", "model_max_length", "GiB" });

    // The largest --max-length: 2^31 - 1 tokens need some 190 GiB.
    const std::optional<std::uint64_t> available = availableMemoryBytes();
    if (!available || *available > (std::uint64_t(1) << 40))
        GTEST_SKIP() << "this machine could pad to 2^31 tokens, or does not say how much memory it has";
    expectOneLineInputError(runCli({ "tokenize", test::tokenizerFixture("bert_vocab"), "hello", "--padding",
                                "--max-length", "2147483647" }),
        { "2147483647 tokens", "--max-length", "GiB" });
}

TEST(TokenizeCommand, PaddingThatFitsIsWritten)
{
    auto result
        = runCli({ "tokenize", test::tokenizerFixture("bert_vocab"), "hello", "--padding", "--max-length", "100000" });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    auto out = nlohmann::json::parse(result.out);
    EXPECT_EQ(out["input_ids"].size(), 100000u);
    EXPECT_EQ(out["tokens"].back(), "[PAD]");
    EXPECT_EQ(out["attention_mask"].back(), 0);
}

TEST(TokenizeCommand, HelpExitsZero)
{
    auto result = runCli({ "tokenize", "--help" });
    EXPECT_EQ(result.exitCode, 0);
    EXPECT_NE(result.out.find("--max-length"), std::string::npos);
}

} // namespace
} // namespace spw
