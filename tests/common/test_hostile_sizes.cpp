// Sizes a user or a file chooses (issue 14, items 5, 9, 10 and 11): outputs and allocations that cannot fit are
// refused up front with their size (common/available_memory.h), paths that are not UTF-8 still give valid JSON
// output, and bench-attention's CPU default is a dtype the CPU computes. Exit code 2 with one line, never LibTorch's
// raw allocator or kernel text, never a crash.
#include "common/available_memory.h"
#include "common/error.h"
#include "common/hostile_inputs.h"
#include "common/utf8_text.h"
#include "export/export_test_support.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace spw {
namespace {

namespace fs = std::filesystem;

class HostileSizes : public ::testing::Test {
protected:
    void SetUp() override { m_work = test::makeTempDir("spw-hostile-sizes"); }
    void TearDown() override { fs::remove_all(m_work); }

    std::string sparsity(const std::string& json) const
    {
        const fs::path path = m_work / "sparsity.json";
        test::writeFile(path, json);
        return path.string();
    }

    fs::path m_work;
};

TEST(RequireMemory, RefusesWhatExceedsTheAvailableMemoryNamingBothSizes)
{
    try {
        requireMemory(1e18, "the thing", "use less");
        FAIL() << "no error";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.rfind("the thing needs about 931322574.6 GiB, more than the ", 0), 0u) << message;
        EXPECT_NE(message.find(" GiB of memory available: use less"), std::string::npos) << message;
    }
    EXPECT_NO_THROW(requireMemory(double(1 << 20), "a MiB"));
}

// A dense block-1 layout at 32,768 tokens is 2^30 entries: the JSON used to die in bad_alloc (SIGABRT).
TEST_F(HostileSizes, LayoutRefusesAMatrixTooLargeToPrint)
{
    const std::string config = sparsity(R"({"mode": "dense", "block": 1})");
    test::expectInputError(test::runCli({ "layout", "--config", config, "--seq-len", "32768", "--heads", "1" }),
        "layout: the matrix would be 1 heads × 32768×32768 blocks (1073741824 entries, about 2048.0 MiB of JSON)");
    // --summary describes it without printing the matrix; a printable size still prints.
    EXPECT_EQ(
        test::runCli({ "layout", "--config", config, "--seq-len", "4096", "--heads", "1", "--summary" }).exitCode, 0);
    const test::CliResult small = test::runCli({ "layout", "--config", config, "--seq-len", "3", "--heads", "2" });
    ASSERT_EQ(small.exitCode, 0) << small.err;
    const nlohmann::json json = nlohmann::json::parse(small.out);
    EXPECT_EQ(json["layout"], nlohmann::json::parse("[[[1,1,1],[1,1,1],[1,1,1]],[[1,1,1],[1,1,1],[1,1,1]]]"));
    EXPECT_EQ(json["num_blocks"], 3);
    EXPECT_EQ(json["density"], 1.0);
}

TEST_F(HostileSizes, ModelShapesBeyondTheMemoryAreRefusedBeforeAllocating)
{
    // 2·10⁹ positions × hidden 32 × 4 bytes, twice: 477 GiB.
    const fs::path source = test::makeSourceFolder("bert_mlm", "bert_vocab");
    test::expectInputError(test::runCli({ "convert", source.string(), "--out", (m_work / "out").string(),
                               "--max-position", "2000000000" }),
        "convert: --max-position 2000000000: a position table of 2000000000 × 32 needs about");
    fs::remove_all(source.parent_path());

    test::expectInputError(
        test::runCli({ "create", "--out", (m_work / "big").string(), "--hidden", "65536", "--heads", "16" }),
        "create: a model of");
    const std::string config = sparsity(R"({"mode": "bslongformer", "block": 16})");
    const std::string json = (m_work / "p.json").string();
    test::expectInputError(test::runCli({ "profile", "--demo", "--demo-hidden", "65536", "--sparsity", config,
                               "--seq-lens", "64", "--json", json }),
        "GiB of memory available");
    test::expectInputError(
        test::runCli({ "profile", "--demo", "--sparsity", config, "--seq-lens", "1000000000", "--json", json }),
        "profile: a sweep up to batch 1 × 1000000000 tokens");
    EXPECT_EQ(test::listNames(m_work), std::vector<std::string> { "sparsity.json" });
}

// A folder named with bytes that are not UTF-8: run and convert used to write their output, then fail on printing it.
TEST_F(HostileSizes, PathsThatAreNotUtf8GiveValidJsonOutput)
{
    const fs::path source = test::makeSourceFolder("bert_mlm", "bert_vocab");
    const fs::path model = m_work / "model-\xff";
    fs::rename(source, model);
    fs::remove_all(source.parent_path());
    test::writeFile(model / "notes-\xfe.txt", "notes");

    const fs::path output = m_work / "out-\xfe.safetensors";
    const test::CliResult run = test::runCli({ "run", model.string(), "--inputs",
        std::string(SPW_FIXTURES_DIR) + "/models/bert_mlm/inputs.safetensors", "--output", output.string() });
    ASSERT_EQ(run.exitCode, 0) << run.err;
    EXPECT_EQ(nlohmann::json::parse(run.out)["output"], validUtf8(output.string()));
    EXPECT_NE(validUtf8(output.string()).find("\xEF\xBF\xBD"), std::string::npos);

    const test::CliResult convert
        = test::runCli({ "convert", model.string(), "--out", (m_work / "out-\xfd").string(), "--max-position", "128" });
    ASSERT_EQ(convert.exitCode, 0) << convert.err;
    const nlohmann::json summary = nlohmann::json::parse(convert.out);
    EXPECT_EQ(summary["source"], validUtf8(model.string()));
    EXPECT_EQ(summary["output"], validUtf8(fs::absolute(m_work / "out-\xfd").string()));
    const auto& files = summary["files"];
    EXPECT_NE(std::find(files.begin(), files.end(), "notes-\xEF\xBF\xBD.txt"), files.end()) << files.dump();
    EXPECT_TRUE(fs::exists(m_work / "out-\xfd" / "notes-\xfe.txt")); // the file itself keeps its name

    const std::string config = sparsity(R"({"mode": "bslongformer", "block": 16})");
    const fs::path named = m_work / "layout-\xff.json";
    fs::rename(config, named);
    const test::CliResult profile = test::runCli({ "profile", model.string(), "--sparsity", named.string(),
        "--seq-lens", "32", "--repeats", "1", "--warmup", "0", "--json", (m_work / "p.json").string() });
    ASSERT_EQ(profile.exitCode, 0) << profile.err;
    const nlohmann::json report = nlohmann::json::parse(profile.out);
    EXPECT_EQ(report["settings"]["model"]["source"], validUtf8(model.string()));
    EXPECT_EQ(report["settings"]["layouts"][0]["name"], "layout-\xEF\xBF\xBD");
}

// bench-attention --device cpu used to fail on its fp16 default with LibTorch's "not implemented for 'Half'".
TEST_F(HostileSizes, BenchAttentionOnTheCpuDefaultsToFloat32)
{
    const std::string config = sparsity(R"({"mode": "bslongformer", "block": 16})");
    const std::vector<std::string> args
        = { "bench-attention", "--config", config, "--device", "cpu", "--seq-len", "64", "--batch", "1", "--heads", "2",
              "--head-dim", "16", "--repeats", "1", "--warmup", "0", "--json", (m_work / "bench.json").string() };
    const test::CliResult result = test::runCli(args);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(nlohmann::json::parse(test::readText(m_work / "bench.json"))["dtype"], "float32");
    EXPECT_NE(test::runCli({ "bench-attention", "--help" }).out.find("float32 (default on cpu)"), std::string::npos);

    // float16 asked for explicitly: computed where LibTorch's CPU kernels have it (2.x), else one line naming --dtype.
    std::vector<std::string> half = args;
    half.insert(half.end(), { "--dtype", "float16" });
    const test::CliResult fp16 = test::runCli(half);
    if (fp16.exitCode != 0)
        test::expectInputError(fp16, "bench-attention: --dtype float16 is not computed by this LibTorch on the CPU");
}

} // namespace
} // namespace spw
