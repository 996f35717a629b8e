// `sparse-workbench-cli profile`: a small demo run read back, and every input mistake giving exit 2 naming it.
#include "common/run_cli.h"
#include "quality/quality_test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace spw {
namespace {

namespace fs = std::filesystem;

class ProfileCli : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = test::makeTempDir("spw-profile-cli");
        m_longformer = (fs::path(m_dir) / "longformer.json").string();
        std::ofstream(m_longformer) << R"({"mode": "bslongformer", "block": 16})";
        m_dense = (fs::path(m_dir) / "dense.json").string();
        std::ofstream(m_dense) << R"({"mode": "dense", "block": 16})";
    }
    void TearDown() override { fs::remove_all(m_dir); }

    std::string path(const std::string& name) const { return (fs::path(m_dir) / name).string(); }
    std::vector<std::string> demoArgs() const
    {
        return { "profile", "--demo", "--demo-layers", "1", "--demo-hidden", "32", "--demo-heads", "2", "--sparsity",
            m_longformer, "--seq-lens", "64,96", "--repeats", "1", "--warmup", "0" };
    }
    static void expectUsageError(const test::CliResult& result, const std::string& named)
    {
        EXPECT_EQ(result.exitCode, 2) << result.err;
        EXPECT_NE(result.err.find(named), std::string::npos) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }

    std::string m_dir, m_longformer, m_dense;
};

TEST_F(ProfileCli, DemoRunWritesJsonAndCsv)
{
    auto args = demoArgs();
    args.insert(
        args.end(), { "--sparsity", m_dense, "--batch", "1,2", "--json", path("out.json"), "--csv", path("out.csv") });
    const auto result = test::runCli(args);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    std::ifstream file(path("out.json"));
    const nlohmann::json json = nlohmann::json::parse(file);
    EXPECT_EQ(json, nlohmann::json::parse(result.out));
    ASSERT_EQ(json["results"].size(), 2u * 2u * 2u);
    EXPECT_EQ(json["results"][0]["layout"], "longformer");
    EXPECT_EQ(json["results"][1]["layout"], "dense");
    EXPECT_EQ(json["results"][2]["batch"], 2);
    EXPECT_EQ(json["results"][4]["seq_len"], 96);
    EXPECT_EQ(json["results"][4]["per_layer"].size(), 1u);
    EXPECT_LT(json["results"][1]["max_abs_diff"].get<double>(), 1e-4);
    EXPECT_EQ(json["settings"]["model"]["hidden"], 32);
    EXPECT_EQ(json["settings"]["dtype"], "float32");
    EXPECT_EQ(json["settings"]["device"], "cpu");
    EXPECT_EQ(json["settings"]["seq_lens"], nlohmann::json({ 64, 96 }));
    EXPECT_FALSE(json["machine"]["libtorch_version"].get<std::string>().empty());
    EXPECT_GT(json["machine"]["cpu_cores"].get<int>(), 0);

    std::ifstream csv(path("out.csv"));
    std::string line;
    int lines = 0;
    while (std::getline(csv, line))
        ++lines;
    EXPECT_EQ(lines, 1 + 8);
}

TEST_F(ProfileCli, MissingJsonIsAUsageError)
{
    expectUsageError(test::runCli(demoArgs()), "--json");
}

TEST_F(ProfileCli, BadListIsAUsageError)
{
    auto args = demoArgs();
    args[11] = "64,x";
    args.insert(args.end(), { "--json", path("out.json") });
    expectUsageError(test::runCli(args), "--seq-lens");
    args[11] = "64";
    args.insert(args.end(), { "--batch", "0" });
    expectUsageError(test::runCli(args), "--batch");
}

TEST_F(ProfileCli, LengthBeyondTheModelsMaximumNeedsExtend)
{
    const std::string model = std::string(SPW_FIXTURES_DIR) + "/models/bert_mlm"; // 64 positions
    std::vector<std::string> args = { "profile", model, "--sparsity", m_longformer, "--seq-lens", "128", "--repeats",
        "1", "--warmup", "0", "--json", path("o.json") };
    expectUsageError(test::runCli(args), "--extend");
    EXPECT_FALSE(fs::exists(path("o.json")));
    args.push_back("--extend");
    const auto result = test::runCli(args);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out)["settings"]["model"]["max_position_embeddings"], 128);
}

TEST_F(ProfileCli, RobertaFolderExtendsPastItsReservedRows)
{
    const std::string model = std::string(SPW_FIXTURES_DIR) + "/models/roberta_mlm"; // 64 usable positions
    const auto result = test::runCli({ "profile", model, "--sparsity", m_longformer, "--seq-lens", "96", "--repeats",
        "1", "--warmup", "0", "--extend", "--json", path("o.json") });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out)["settings"]["model"]["max_position_embeddings"], 98);
}

// The input is fine, the machine lacks the device: an environment failure, exit 1.
TEST_F(ProfileCli, CudaWithoutCudaIsAnEnvironmentFailure)
{
    auto args = demoArgs();
    args.insert(args.end(), { "--device", "cuda", "--json", path("out.json") });
    const auto result = test::runCli(args);
    if (result.exitCode == 0)
        GTEST_SKIP() << "this build has CUDA";
    EXPECT_EQ(result.exitCode, 1) << result.err;
    EXPECT_NE(result.err.find("--device"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST_F(ProfileCli, ModelSourceMustBeExactlyOne)
{
    expectUsageError(
        test::runCli({ "profile", "--sparsity", m_longformer, "--seq-lens", "64", "--json", path("o.json") }),
        "--demo");
    auto args = demoArgs();
    args.insert(args.begin() + 1, std::string(SPW_FIXTURES_DIR) + "/models/bert_mlm");
    args.insert(args.end(), { "--json", path("o.json") });
    expectUsageError(test::runCli(args), "--demo");
}

TEST_F(ProfileCli, OtherInputMistakesNameTheirFlag)
{
    auto withJson = [&](std::vector<std::string> extra) {
        auto args = demoArgs();
        args.insert(args.end(), { "--json", path("o.json") });
        args.insert(args.end(), extra.begin(), extra.end());
        return test::runCli(args);
    };
    expectUsageError(withJson({ "--padding-fraction", "1.5" }), "--padding-fraction");
    expectUsageError(withJson({ "--text", path("missing.txt") }), "--text");
    expectUsageError(withJson({ "--dtype", "int8" }), "--dtype");
    expectUsageError(withJson({ "--repeats", "0" }), "--repeats");
    auto oddHidden = demoArgs();
    oddHidden[5] = "33"; // --demo-hidden, with --demo-heads 2
    oddHidden.insert(oddHidden.end(), { "--json", path("o.json") });
    expectUsageError(test::runCli(oddHidden), "--demo-heads 2 does not divide --demo-hidden 33");
    expectUsageError(test::runCli({ "profile", "--demo", "--seq-lens", "64", "--json", path("o.json") }), "--sparsity");
}

// A report path that cannot be written is found before the sweep (one error line, no progress lines): a long GPU
// sweep must not run for nothing.
TEST_F(ProfileCli, UnwritableReportPathsFailBeforeTheSweep)
{
    auto withOutputs = [&](std::vector<std::string> outputs) {
        auto args = demoArgs();
        args.insert(args.end(), outputs.begin(), outputs.end());
        return test::runCli(args);
    };
    expectUsageError(withOutputs({ "--json", path("no-such-folder/o.json") }), "--json");
    expectUsageError(withOutputs({ "--json", m_dir }), "is a folder");
    expectUsageError(withOutputs({ "--json", path("o.json"), "--csv", path("no-such-folder/o.csv") }), "--csv");
    EXPECT_FALSE(fs::exists(path("o.json")));
}

TEST_F(ProfileCli, TextInputsRunThroughTheDemoTokenizer)
{
    std::ofstream(path("sample.txt")) << "Sparse attention keeps a few blocks of the attention matrix.";
    auto args = demoArgs();
    args.insert(args.end(), { "--text", path("sample.txt"), "--json", path("o.json") });
    const auto result = test::runCli(args);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out)["settings"]["inputs"], "text:" + path("sample.txt"));
}

// --quality-text: every result gains the layout's and dense attention's masked-LM quality, the same numbers as
// `evaluate` gives for that layout at that length on the same text and budget.
TEST_F(ProfileCli, QualityTextMatchesEvaluate)
{
    const std::string model = test::makeWordModelFolder(m_dir);
    std::ofstream(path("words.txt")) << test::randomWordText(500, 8);
    const auto result = test::runCli({ "profile", model, "--sparsity", m_longformer, "--seq-lens", "32,80", "--batch",
        "1,2", "--repeats", "1", "--warmup", "0", "--extend", "--quality-text", path("words.txt"),
        "--quality-max-tokens", "300", "--json", path("o.json"), "--csv", path("o.csv") });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const nlohmann::json json = nlohmann::json::parse(result.out);
    EXPECT_EQ(json["settings"]["quality"]["text"], path("words.txt"));
    EXPECT_EQ(json["settings"]["quality"]["max_tokens"], 300);
    EXPECT_EQ(json["settings"]["quality"]["tokens"], 300);
    const nlohmann::json& results = json["results"];
    ASSERT_EQ(results.size(), 4u);
    for (const char* length : { "32", "80" }) {
        const auto evaluated = test::runCli({ "evaluate", model, "--text", path("words.txt"), "--max-tokens", "300",
            "--seq-len", length, "--sparsity", m_longformer });
        ASSERT_EQ(evaluated.exitCode, 0) << evaluated.err;
        const nlohmann::json configurations = nlohmann::json::parse(evaluated.out)["results"];
        const nlohmann::json& dense = configurations[configurations.size() - 2]; // as-is, or extended-dense
        const nlohmann::json& layout = configurations.back();
        for (const nlohmann::json& r : results) {
            if (std::to_string(r["seq_len"].get<int>()) != length)
                continue;
            EXPECT_EQ(r["scored_tokens"], layout["tokens"]);
            EXPECT_DOUBLE_EQ(r["loss"].get<double>(), layout["loss"].get<double>());
            EXPECT_DOUBLE_EQ(r["perplexity"].get<double>(), layout["perplexity"].get<double>());
            EXPECT_DOUBLE_EQ(r["accuracy"].get<double>(), layout["accuracy"].get<double>());
            EXPECT_DOUBLE_EQ(r["dense_loss"].get<double>(), dense["loss"].get<double>());
            EXPECT_DOUBLE_EQ(r["dense_accuracy"].get<double>(), dense["accuracy"].get<double>());
        }
    }
    std::ifstream csv(path("o.csv"));
    std::string header;
    std::getline(csv, header);
    EXPECT_NE(header.find(",dense_loss,dense_perplexity,dense_accuracy,loss,perplexity,accuracy,scored_tokens"),
        std::string::npos)
        << header;
}

TEST_F(ProfileCli, QualityTextMistakesNameTheFlag)
{
    const std::string model = test::makeWordModelFolder(m_dir);
    std::ofstream(path("words.txt")) << test::randomWordText(200, 8);
    std::ofstream(path("empty.txt")) << "  \n\n ";
    std::ofstream(path("binary.txt"), std::ios::binary) << std::string("\x7f"
                                                                       "ELF\0\0\x01",
        7);
    auto run = [&](const std::string& source, std::vector<std::string> extra) {
        std::vector<std::string> args = { "profile" };
        if (source == "--demo")
            args.insert(args.end(), { "--demo", "--demo-layers", "1", "--demo-hidden", "32", "--demo-heads", "2" });
        else
            args.push_back(source);
        args.insert(args.end(),
            { "--sparsity", m_longformer, "--seq-lens", "32", "--repeats", "1", "--warmup", "0", "--json",
                path("o.json") });
        args.insert(args.end(), extra.begin(), extra.end());
        return test::runCli(args);
    };
    expectUsageError(run("--demo", { "--quality-text", path("words.txt") }), "--quality-text");
    expectUsageError(run("--demo", { "--quality-text", path("words.txt") }), "(--demo) has none");
    const std::string classifier = std::string(SPW_FIXTURES_DIR) + "/models/bert_cls_sharded";
    const auto noHead = run(classifier, { "--quality-text", path("words.txt") });
    expectUsageError(noHead, "--quality-text");
    expectUsageError(noHead, "needs a masked-LM model");
    expectUsageError(run(model, { "--quality-text", path("missing.txt") }), "--quality-text");
    expectUsageError(run(model, { "--quality-text", path("missing.txt") }), "missing.txt");
    expectUsageError(run(model, { "--quality-text", path("empty.txt") }), "gives no tokens");
    expectUsageError(run(model, { "--quality-text", path("binary.txt") }), "not a text file");
    expectUsageError(run(model, { "--quality-max-tokens", "100" }), "--quality-max-tokens needs --quality-text");
    expectUsageError(
        run(model, { "--quality-text", path("words.txt"), "--quality-max-tokens", "0" }), "--quality-max-tokens");
    expectUsageError(run(model, { "--quality-text", path("words.txt"), "--seq-lens", "8" }), "--seq-lens");
    EXPECT_FALSE(fs::exists(path("o.json")));
}

} // namespace
} // namespace spw
