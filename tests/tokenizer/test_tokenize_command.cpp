// `sparse-workbench-cli tokenize`: the same ids as transformers, and exit code 2 with a one-line message for
// every input mistake.
#include "common/run_cli.h"
#include "golden_cases.h"

#include <gtest/gtest.h>

#include <filesystem>

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

TEST(TokenizeCommand, HelpExitsZero)
{
    auto result = runCli({ "tokenize", "--help" });
    EXPECT_EQ(result.exitCode, 0);
    EXPECT_NE(result.out.find("--max-length"), std::string::npos);
}

} // namespace
} // namespace spw
