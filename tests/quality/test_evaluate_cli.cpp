// `sparse-workbench-cli evaluate`: the JSON it prints and writes, and every input mistake giving exit 2 on one line
// that names it.
#include "common/run_cli.h"
#include "quality/quality_test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace spw {
namespace {

namespace fs = std::filesystem;

class EvaluateCli : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = test::makeTempDir("spw-evaluate-cli");
        m_model = test::makeWordModelFolder(m_dir);
        m_text = path("words.txt");
        std::ofstream(m_text) << test::randomWordText(200, 4);
        m_dense = path("dense.json");
        std::ofstream(m_dense) << R"({"mode": "dense", "block": 16})";
    }
    void TearDown() override { fs::remove_all(m_dir); }

    std::string path(const std::string& name) const { return (fs::path(m_dir) / name).string(); }
    std::vector<std::string> args(std::vector<std::string> extra = {}) const
    {
        std::vector<std::string> all = { "evaluate", m_model, "--text", m_text };
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    }
    static void expectUsageError(const test::CliResult& result, const std::string& named)
    {
        EXPECT_EQ(result.exitCode, 2) << result.err;
        EXPECT_NE(result.err.find(named), std::string::npos) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        EXPECT_TRUE(result.out.empty()) << result.out;
    }

    std::string m_dir, m_model, m_text, m_dense;
};

TEST_F(EvaluateCli, PrintsAndWritesOneResultPerConfiguration)
{
    const auto result = test::runCli(args({ "--seq-len", "80", "--sparsity", m_dense, "--json", path("out.json") }));
    ASSERT_EQ(result.exitCode, 0) << result.err;
    // The keys in the order the issue gives them, the model as it is first.
    EXPECT_EQ(result.out.rfind(R"({"results":[{"configuration":"as-is","seq_len":64,"tokens":)", 0), 0u) << result.out;
    const nlohmann::json json = nlohmann::json::parse(result.out);
    std::ifstream file(path("out.json"));
    EXPECT_EQ(nlohmann::json::parse(file), json);
    ASSERT_EQ(json.size(), 1u);
    const nlohmann::json& results = json.at("results");
    ASSERT_EQ(results.size(), 3u);
    const std::vector<std::string> names = { "as-is", "extended-dense", "dense" };
    const std::vector<int> lengths = { 64, 80, 80 };
    for (std::size_t i = 0; i < results.size(); ++i) {
        const nlohmann::json& r = results[i];
        EXPECT_EQ(r.size(), 7u) << r;
        EXPECT_EQ(r.at("configuration"), names[i]);
        EXPECT_EQ(r.at("seq_len"), lengths[i]);
        EXPECT_EQ(r.at("tokens"), results[0].at("tokens"));
        EXPECT_GT(r.at("tokens").get<int>(), 10);
        EXPECT_GT(r.at("loss").get<double>(), 0);
        EXPECT_NEAR(r.at("perplexity").get<double>(), std::exp(r.at("loss").get<double>()), 1e-6);
        EXPECT_GE(r.at("accuracy").get<double>(), 0);
        EXPECT_LE(r.at("accuracy").get<double>(), 1);
        EXPECT_GE(r.at("seconds").get<double>(), 0);
    }
    EXPECT_NEAR(results[2].at("loss").get<double>(), results[1].at("loss").get<double>(), 1e-5);
    // Progress on stderr: one line per configuration.
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 3) << result.err;
}

TEST_F(EvaluateCli, TheSeedDecidesTheMasking)
{
    auto loss = [&](const std::string& seed) {
        const auto result = test::runCli(args({ "--seed", seed }));
        EXPECT_EQ(result.exitCode, 0) << result.err;
        return nlohmann::json::parse(result.out)["results"][0]["loss"].get<double>();
    };
    EXPECT_EQ(loss("3"), loss("3"));
    EXPECT_NE(loss("3"), loss("4"));
}

TEST_F(EvaluateCli, InputMistakesNameTheirInput)
{
    const std::string classifier = std::string(SPW_FIXTURES_DIR) + "/models/bert_cls_sharded";
    expectUsageError(test::runCli({ "evaluate", classifier, "--text", m_text }), "needs a masked-LM model");

    std::ofstream(path("empty.txt")) << "  \n ";
    expectUsageError(
        test::runCli({ "evaluate", m_model, "--text", path("empty.txt") }), "--text " + path("empty.txt") + ": ");
    std::ofstream(path("binary.txt"), std::ios::binary) << std::string("w5 \0\1\2 w6", 9);
    expectUsageError(test::runCli({ "evaluate", m_model, "--text", path("binary.txt") }), "not a text file");
    expectUsageError(
        test::runCli({ "evaluate", m_model, "--text", path("missing.txt") }), "--text " + path("missing.txt"));
    fs::create_directories(path("no-texts"));
    expectUsageError(test::runCli({ "evaluate", m_model, "--text", path("no-texts") }), "holds no .txt file");

    expectUsageError(test::runCli(args({ "--seq-len", "8", "--sparsity", m_dense })),
        "sequence length 8 (--seq-len) is below the block 16 of layout dense");
    expectUsageError(test::runCli(args({ "--seq-len", "2" })), "sequence length 2 (--seq-len) leaves no room for text");
    expectUsageError(test::runCli(args({ "--mask-prob", "0" })), "--mask-prob");
    expectUsageError(test::runCli(args({ "--batch", "0" })), "--batch");
    expectUsageError(test::runCli(args({ "--max-tokens", "-1" })), "--max-tokens");
    expectUsageError(test::runCli(args({ "--random-positions" })), "--random-positions");
    expectUsageError(test::runCli(args({ "--dtype", "int8" })), "--dtype");
    expectUsageError(test::runCli(args({ "--sparsity", path("missing.json") })), "missing.json");
    expectUsageError(test::runCli(args({ "--frobnicate" })), "--frobnicate");
    expectUsageError(test::runCli({ "evaluate", m_model }), "--text");
    expectUsageError(test::runCli(args({ "--json", m_model + "/report.json" })), "--json");
    expectUsageError(test::runCli(args({ "--json", path("no-such-folder/out.json") })), "--json");
}

TEST_F(EvaluateCli, AModelWithoutAMaskTokenIsNamed)
{
    std::ofstream(fs::path(m_model) / "tokenizer_config.json") << R"({"mask_token": "[NOT-THERE]"})";
    // The configured token is added to the vocabulary when missing (as transformers does), beyond vocab_size 99.
    expectUsageError(test::runCli(args()), "special token id 99 is beyond the model's vocab_size 99");
}

} // namespace
} // namespace spw
