// `sparse-workbench-cli layout`: the JSON it prints, and its one-line errors with exit code 2.
#include "common/run_cli.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using nlohmann::json;
using spw::test::runCli;

namespace {

class LayoutCli : public ::testing::Test {
protected:
    void SetUp() override { m_dir = spw::test::makeTempDir("spw-layout-cli"); }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    std::string write(const std::string& name, const std::string& text)
    {
        std::string path = m_dir + "/" + name;
        std::ofstream(path) << text;
        return path;
    }

    void expectBadInput(const std::vector<std::string>& args, const std::string& fragment)
    {
        auto result = runCli(args);
        EXPECT_EQ(result.exitCode, 2) << result.err;
        EXPECT_TRUE(result.out.empty());
        EXPECT_NE(result.err.find(fragment), std::string::npos) << result.err;
        EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "not one line: " << result.err;
    }

    std::string m_dir;
};

} // namespace

TEST_F(LayoutCli, PrintsOneJsonObject)
{
    auto config = write("fixed.json", R"({"sparse_attention": {"mode": "fixed", "block": 16,
        "different_layout_per_head": true, "num_different_global_patterns": 2, "num_heads": 3}})");
    auto result = runCli({ "layout", "--config", config, "--seq-len", "96" });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    json output = json::parse(result.out);
    EXPECT_EQ(output.size(), 7u);
    EXPECT_EQ(output["mode"], "fixed");
    EXPECT_EQ(output["block"], 16);
    EXPECT_EQ(output["num_heads"], 3);
    EXPECT_EQ(output["num_blocks"], 6);
    EXPECT_EQ(output["seq_len"], 96);
    // DeepSpeed's layouts (see test_layout_modes): head 0 globals at 3 and 5, head 1 at 2 and 5 (short window:
    // min(4 + 2, 5)); head 2 repeats head 0.
    const json head0 = json::parse(R"([[1,1,1,1,0,1],[1,1,1,1,0,1],[1,1,1,1,0,1],[1,1,1,1,0,1],
                                       [0,0,0,1,1,1],[0,0,0,1,1,1]])");
    const json head1 = json::parse(R"([[1,1,1,1,0,1],[1,1,1,1,0,1],[1,1,1,1,0,1],[1,1,1,1,0,1],
                                       [0,0,1,0,1,1],[0,0,1,0,1,1]])");
    ASSERT_EQ(output["layout"].size(), 3u);
    EXPECT_EQ(output["layout"][0], head0);
    EXPECT_EQ(output["layout"][1], head1);
    EXPECT_EQ(output["layout"][2], head0);
    EXPECT_DOUBLE_EQ(output["density"].get<double>(), (26.0 + 26.0 + 26.0) / (3 * 36.0));
}

TEST_F(LayoutCli, HeadsFlagOverridesAndSeedIsUsed)
{
    auto config = write("bigbird.json", R"({"mode": "bigbird", "num_random_blocks": 2, "num_heads": 12})");
    auto two = runCli({ "layout", "--config", config, "--seq-len", "256", "--heads", "2", "--seed", "11" });
    ASSERT_EQ(two.exitCode, 0) << two.err;
    EXPECT_EQ(json::parse(two.out)["num_heads"], 2);
    auto again = runCli({ "layout", "--config", config, "--seq-len", "256", "--heads", "2", "--seed", "11" });
    EXPECT_EQ(again.out, two.out);
    auto other = runCli({ "layout", "--config", config, "--seq-len", "256", "--heads", "2", "--seed", "12" });
    EXPECT_NE(json::parse(other.out)["layout"], json::parse(two.out)["layout"]);
}

TEST_F(LayoutCli, ConfigurationSeedIsTheDefault)
{
    auto seeded = write("seeded.json", R"({"mode": "bigbird", "num_random_blocks": 2, "seed": 11})");
    auto fromConfig = runCli({ "layout", "--config", seeded, "--seq-len", "256", "--heads", "1" });
    auto fromFlag = runCli({ "layout", "--config", seeded, "--seq-len", "256", "--heads", "1", "--seed", "11" });
    ASSERT_EQ(fromConfig.exitCode, 0) << fromConfig.err;
    EXPECT_EQ(fromConfig.out, fromFlag.out);
}

TEST_F(LayoutCli, BadInputIsOneLineAndExitTwo)
{
    auto good = write("good.json", R"({"mode": "dense"})");
    expectBadInput(
        { "layout", "--config", m_dir + "/missing.json", "--seq-len", "64", "--heads", "1" }, "missing.json");
    expectBadInput(
        { "layout", "--config", write("text.json", "not json"), "--seq-len", "64", "--heads", "1" }, "not valid JSON");
    expectBadInput({ "layout", "--config", write("k.json", R"({"mode": "dense", "colour": 1})"), "--seq-len", "64",
                       "--heads", "1" },
        "colour");
    expectBadInput(
        { "layout", "--config", write("m.json", R"({"mode": "diagonal"})"), "--seq-len", "64", "--heads", "1" },
        "diagonal");
    expectBadInput({ "layout", "--config", good, "--seq-len", "64" }, "--heads");
    expectBadInput({ "layout", "--config", good, "--seq-len", "100", "--heads", "1" }, "seq_len (100)");
    expectBadInput({ "layout", "--config", good, "--seq-len", "abc", "--heads", "1" }, "--seq-len");
    expectBadInput({ "layout", "--config", good, "--heads", "1" }, "--seq-len");
    expectBadInput({ "layout", "--seq-len", "64", "--heads", "1" }, "--config");
    expectBadInput({ "layout", "--config", good, "--seq-len", "64", "--heads", "0" }, "--heads");
    expectBadInput({ "layout", "--config", good, "--seq-len", "64", "--heads", "1", "--seed", "-3" }, "--seed");
    expectBadInput({ "layout", "--config", good, "--seq-len", "64", "--heads", "1", "--colour" }, "--colour");
    expectBadInput(
        { "layout", "--config", write("fx.json", R"({"mode": "fixed", "num_local_blocks": 6, "num_global_blocks": 4})"),
            "--seq-len", "64", "--heads", "1" },
        "num_local_blocks (6) must be a multiple of num_global_blocks (4)");
    expectBadInput({ "layout", "--config", write("w.json", R"({"mode": "local", "num_sliding_window_blocks": 9})"),
                       "--seq-len", "64", "--heads", "1" },
        "num_sliding_window_blocks (9)");
}

TEST_F(LayoutCli, Help)
{
    auto help = runCli({ "layout", "--help" });
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.out.find("--seq-len"), std::string::npos);
}

TEST_F(LayoutCli, SummaryDrawsHeadZeroBlockByBlock)
{
    // bslongformer, window 3 (one block either side), global block 0, 6 blocks of 16: by DeepSpeed's rules row 0 and
    // column 0 are global, the band |row - col| <= 1 is local, the rest is empty.
    const std::string config = write("bsl.json",
        R"({"mode": "bslongformer", "block": 16, "num_sliding_window_blocks": 3, "global_block_indices": [0]})");
    auto result = runCli({ "layout", "--config", config, "--seq-len", "96", "--heads", "2", "--summary" });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_NE(result.out.find("bslongformer layout: 96 tokens, block 16, 6 x 6 blocks, 2 head(s)"), std::string::npos)
        << result.out;
    // Nonzero per head: row 0 (6) + column 0 for rows 1-5 (5) + band cells off column 0 in rows 1-5 (2, 3, 3, 3, 2)
    // = 24; two heads: 48 of 72.
    EXPECT_NE(result.out.find("nonzero blocks: 48 of 72"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("  GGGGGG\n  Goo...\n  Gooo..\n  G.ooo.\n  G..ooo\n  G...oo\n"), std::string::npos)
        << result.out;
}
