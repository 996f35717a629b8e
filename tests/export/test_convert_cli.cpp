// `sparse-workbench-cli convert`: the JSON summary, the folder it writes, and exit code 2 with a one-line message
// naming the flag or file for every input mistake.
#include "common/run_cli.h"
#include "convert/model_conversion.h"
#include "convert/padded_run.h"
#include "convert/sparse_attention_record.h"
#include "export/export_test_support.h"
#include "io/safetensors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace spw;
namespace fs = std::filesystem;

namespace {

struct CliFolders {
    fs::path source = test::makeSourceFolder("bert_mlm", "bert_vocab");
    fs::path work = test::makeTempDir("spw-convert-cli");
    fs::path out = work / "out";

    fs::path writeConfig(const nlohmann::json& config, const std::string& name = "sparsity.json") const
    {
        std::ofstream(work / name) << config.dump();
        return work / name;
    }
};

bool oneLine(const std::string& text)
{
    return !text.empty() && text.find('\n') == text.size() - 1;
}

void expectUsageError(const test::CliResult& result, const std::string& named)
{
    EXPECT_EQ(result.exitCode, 2) << result.err;
    EXPECT_TRUE(oneLine(result.err)) << result.err;
    EXPECT_NE(result.err.find(named), std::string::npos) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
}

} // namespace

TEST(ConvertCli, ExtendsAndSparsifiesWithASummary)
{
    CliFolders s;
    const auto sourceFiles = test::fingerprint(s.source);
    const fs::path config = s.writeConfig({ { "sparse_attention", { { "mode", "bigbird" }, { "block", 8 } } } });
    test::CliResult result = test::runCli({ "convert", s.source.string(), "--out", s.out.string(), "--max-position",
        "128", "--sparsity", config.string(), "--layers", "1", "--seed", "9" });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    nlohmann::json summary = nlohmann::json::parse(result.out);
    EXPECT_EQ(summary["output"], fs::absolute(s.out).string());
    EXPECT_EQ(summary["max_position_embeddings"], 128);
    EXPECT_EQ(summary["model_max_length"], 128);
    EXPECT_EQ(summary["sparse_attention"]["layers"], nlohmann::json::array({ 1 }));
    EXPECT_EQ(summary["sparse_attention"]["seed"], 9);
    EXPECT_EQ(summary["preview"]["max_position_embeddings"]["before"], 64);
    EXPECT_EQ(summary["preview"]["sparse_layers"], nlohmann::json::array({ 1 }));
    EXPECT_LT(summary["preview"]["attention_cost_relative_to_dense"].get<double>(), 1.0);

    auto model = loadForRun(s.out.string());
    EXPECT_EQ(model->config().maxPositionEmbeddings, 128);
    EXPECT_EQ(sparseLayers(*model), std::vector<int> { 1 });
    EXPECT_EQ(model->selfAttention(1).sparseAttention()->seed, 9u);
    EXPECT_EQ(test::fingerprint(s.source), sourceFiles);

    // Converting the converted folder again keeps its sparse layers and extends their layouts.
    const fs::path again = s.work / "again";
    result = test::runCli({ "convert", s.out.string(), "--out", again.string(), "--max-position", "256" });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    auto twice = loadForRun(again.string());
    EXPECT_EQ(sparseLayers(*twice), std::vector<int> { 1 });
    EXPECT_EQ(twice->selfAttention(1).sparseAttention()->layout.seqLen(), 256);
}

TEST(ConvertCli, ForceReplacesAnExistingOutput)
{
    CliFolders s;
    fs::create_directories(s.out);
    std::ofstream(s.out / "config.json") << "{}";
    std::ofstream(s.out / "old.txt") << "old";
    test::CliResult result
        = test::runCli({ "convert", s.source.string(), "--out", s.out.string(), "--max-position", "80" });
    expectUsageError(result, "--force");
    EXPECT_TRUE(fs::exists(s.out / "old.txt"));
    result = test::runCli({ "convert", s.source.string(), "--out", s.out.string(), "--max-position", "80", "--force" });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_FALSE(fs::exists(s.out / "old.txt"));
    EXPECT_EQ(test::listNames(s.work), std::vector<std::string> { "out" });
}

TEST(ConvertCli, InputMistakesExitTwoNamingTheFlagOrFile)
{
    CliFolders s;
    const std::string src = s.source.string();
    const std::string out = s.out.string();
    expectUsageError(test::runCli({ "convert", src, "--out", out }), "--max-position");
    expectUsageError(test::runCli({ "convert", src, "--max-position", "80" }), "--out");
    expectUsageError(test::runCli({ "convert", src, "--out", out, "--max-position", "64" }), "--max-position");
    expectUsageError(test::runCli({ "convert", src, "--out", out, "--max-position", "abc" }), "--max-position");
    expectUsageError(
        test::runCli({ "convert", src, "--out", out, "--max-position", "80", "--layers", "0" }), "--layers");
    const fs::path fixed = s.writeConfig({ { "mode", "fixed" }, { "block", 16 } });
    expectUsageError(
        test::runCli({ "convert", src, "--out", out, "--sparsity", fixed.string(), "--layers", "0,2" }), "--layers");
    expectUsageError(
        test::runCli({ "convert", src, "--out", out, "--sparsity", fixed.string(), "--layers", "x" }), "--layers");
    expectUsageError(
        test::runCli({ "convert", src, "--out", out, "--sparsity", fixed.string(), "--seed", "-1" }), "--seed");
    expectUsageError(test::runCli({ "convert", src, "--out", out, "--sparsity", (s.work / "missing.json").string() }),
        "missing.json");
    const fs::path heads = s.writeConfig({ { "mode", "fixed" }, { "num_heads", 12 } }, "heads.json");
    test::CliResult result = test::runCli({ "convert", src, "--out", out, "--sparsity", heads.string() });
    expectUsageError(result, "--sparsity");
    EXPECT_NE(result.err.find("12"), std::string::npos);
    EXPECT_NE(result.err.find("4"), std::string::npos);
    const fs::path unknown = s.writeConfig({ { "mode", "fixed" }, { "blok", 16 } }, "unknown.json");
    expectUsageError(test::runCli({ "convert", src, "--out", out, "--sparsity", unknown.string() }), "blok");
    expectUsageError(
        test::runCli({ "convert", (s.work / "nope").string(), "--out", out, "--max-position", "80" }), "nope");
    expectUsageError(test::runCli({ "convert", src, "--out", src, "--max-position", "80", "--force" }), src);
    // None of the failures left an output folder behind.
    EXPECT_EQ(test::listNames(s.work), (std::vector<std::string> { "heads.json", "sparsity.json", "unknown.json" }));
}

TEST(ConvertCli, RunOnAConvertedFolderPadsAndKeepsTheInputLength)
{
    CliFolders s;
    const fs::path config = s.writeConfig({ { "mode", "fixed" }, { "block", 8 }, { "num_local_blocks", 2 } });
    ASSERT_EQ(test::runCli({ "convert", s.source.string(), "--out", s.out.string(), "--max-position", "100",
                               "--sparsity", config.string() })
                  .exitCode,
        0);
    auto model = loadForRun(s.out.string());
    for (std::int64_t length : { 13, 100 }) {
        at::Tensor ids = at::randint(5, 99, { 2, length }, at::kLong);
        at::Tensor mask = at::ones({ 2, length }, at::kLong);
        mask[1].narrow(0, length - 4, 4).zero_();
        const fs::path in = s.work / "in.safetensors";
        const fs::path out = s.work / "out.safetensors";
        saveSafetensors(in.string(), { { "input_ids", ids }, { "attention_mask", mask } });
        test::CliResult result
            = test::runCli({ "run", s.out.string(), "--inputs", in.string(), "--output", out.string() });
        ASSERT_EQ(result.exitCode, 0) << result.err;
        std::map<std::string, at::Tensor> outputs = loadSafetensors(out.string());
        ASSERT_EQ(outputs.at("logits").size(1), length);
        ModelOutputs expected = runPadded(*model, ModelInputs { ids, mask, std::nullopt, std::nullopt });
        EXPECT_TRUE(at::equal(outputs.at("last_hidden_state"), expected.lastHiddenState)) << length;
        EXPECT_TRUE(at::equal(outputs.at("logits"), *expected.logits)) << length;
    }
}
