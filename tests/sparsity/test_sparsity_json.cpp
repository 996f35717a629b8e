// Reading and writing configurations in ds_config spelling: defaults, whole ds_config or the object alone, keys of
// other modes ignored, unknown keys / modes and wrong types rejected with the key named, round trips, presets.
#include "common/error.h"
#include "common/temp_dir.h"
#include "sparsity/layout.h"
#include "sparsity/sparsity_config.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using nlohmann::json;
using spw::AttentionDirection;
using spw::SparsityMode;

namespace {

void expectJsonError(const json& document, std::vector<std::string> fragments)
{
    try {
        spw::sparsityConfigFromJson(document);
        ADD_FAILURE() << "no error for " << document.dump();
    } catch (const spw::Error& e) {
        for (const auto& fragment : fragments)
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

} // namespace

TEST(SparsityJson, DsConfigDefaults)
{
    auto config = spw::sparsityConfigFromJson(json::object());
    EXPECT_EQ(config.mode, SparsityMode::Fixed); // ds_config's default mode
    EXPECT_EQ(config.block, 16);
    EXPECT_FALSE(config.differentLayoutPerHead);
    EXPECT_EQ(config.numLocalBlocks, 4);
    EXPECT_EQ(config.numGlobalBlocks, 1);
    EXPECT_EQ(config.attention, AttentionDirection::Bidirectional);
    EXPECT_FALSE(config.horizontalGlobalAttention);
    EXPECT_EQ(config.numDifferentGlobalPatterns, 1);
    EXPECT_EQ(config.numHeads, 0);
    EXPECT_FALSE(config.seed.has_value());

    auto variable = spw::sparsityConfigFromJson(json { { "mode", "variable" } });
    EXPECT_EQ(variable.numRandomBlocks, 0);
    EXPECT_EQ(variable.localWindowBlocks, std::vector<int> { 4 });
    EXPECT_EQ(variable.globalBlockIndices, std::vector<int> { 0 });
    EXPECT_FALSE(variable.globalBlockEndIndices.has_value());
    EXPECT_EQ(spw::sparsityConfigFromJson(json { { "mode", "bigbird" } }).numSlidingWindowBlocks, 3);
    EXPECT_EQ(spw::sparsityConfigFromJson(json { { "mode", "local" } }).attention, AttentionDirection::Unidirectional);
}

TEST(SparsityJson, WholeDsConfigOrObjectAlone)
{
    json object = { { "mode", "bslongformer" }, { "block", 32 }, { "num_sliding_window_blocks", 5 },
        { "global_block_indices", { 0, 7 } }, { "global_block_end_indices", { 2, 9 } }, { "num_heads", 12 },
        { "seed", 99 } };
    json dsConfig = { { "train_batch_size", 8 }, { "fp16", { { "enabled", true } } }, { "sparse_attention", object } };
    auto fromObject = spw::sparsityConfigFromJson(object);
    auto fromDsConfig = spw::sparsityConfigFromJson(dsConfig);
    EXPECT_EQ(fromObject, fromDsConfig);
    EXPECT_EQ(fromObject.mode, SparsityMode::BSLongformer);
    EXPECT_EQ(fromObject.block, 32);
    EXPECT_EQ(fromObject.numSlidingWindowBlocks, 5);
    EXPECT_EQ(fromObject.globalBlockIndices, (std::vector<int> { 0, 7 }));
    EXPECT_EQ(fromObject.globalBlockEndIndices, (std::vector<int> { 2, 9 }));
    EXPECT_EQ(fromObject.numHeads, 12);
    EXPECT_EQ(fromObject.seed, 99u);
}

// DeepSpeed's get_sparse_*_config reads only its mode's keys; the others are accepted and have no effect.
TEST(SparsityJson, KeysOfOtherModesAreIgnored)
{
    auto config = spw::sparsityConfigFromJson(json {
        { "mode", "dense" }, { "num_local_blocks", 6 }, { "num_global_blocks", 4 }, { "local_window_blocks", { 2 } } });
    EXPECT_EQ(config, spw::defaultsFor(SparsityMode::Dense));
    auto bigbird = spw::sparsityConfigFromJson(json { { "mode", "bigbird" }, { "num_local_blocks", 8 } });
    EXPECT_EQ(bigbird.numLocalBlocks, 4);
}

TEST(SparsityJson, UnknownKeyOrModeIsAnError)
{
    expectJsonError(json { { "mode", "fixed" }, { "num_local_block", 4 } }, { "unknown key", "num_local_block" });
    expectJsonError(json { { "mode", "sparse" } }, { "unknown sparsity mode", "sparse", "bslongformer" });
    expectJsonError(json { { "sparse_attention", { { "mode", "fixed" }, { "foo", 1 } } } }, { "foo" });
    expectJsonError(json { { "train_batch_size", 8 } }, { "train_batch_size" });
}

TEST(SparsityJson, WrongTypesNameTheKey)
{
    expectJsonError(json { { "block", "16" } }, { "block must be an integer" });
    expectJsonError(json { { "block", 16.5 } }, { "block must be an integer" });
    expectJsonError(json { { "mode", 3 } }, { "mode must be a string" });
    expectJsonError(json { { "different_layout_per_head", 1 } }, { "different_layout_per_head must be true or false" });
    expectJsonError(
        json { { "mode", "variable" }, { "local_window_blocks", 4 } }, { "local_window_blocks must be a list" });
    expectJsonError(
        json { { "mode", "variable" }, { "global_block_indices", { 0, "1" } } }, { "global_block_indices" });
    expectJsonError(
        json { { "mode", "variable" }, { "global_block_end_indices", "none" } }, { "global_block_end_indices" });
    expectJsonError(json { { "attention", "causal" } }, { "attention", "causal" });
    expectJsonError(json { { "seed", -1 } }, { "seed" });
    expectJsonError(json { { "num_heads", 0 } }, { "num_heads (0)" });
    expectJsonError(json { { "block", 1e12 } }, { "block" });
    expectJsonError(json { { "block", 4294967296LL } }, { "block", "out of range" });
    expectJsonError(json { { "sparse_attention", 5 } }, { "sparse_attention must be a JSON object" });
    expectJsonError(json::array(), { "must be a JSON object" });
    // A key of another mode is still checked for its type.
    expectJsonError(
        json { { "mode", "dense" }, { "num_local_blocks", "four" } }, { "num_local_blocks must be an integer" });
}

TEST(SparsityJson, ReadingValidates)
{
    expectJsonError(json { { "num_local_blocks", 6 }, { "num_global_blocks", 4 } },
        { "num_local_blocks (6) must be a multiple of num_global_blocks (4)" });
}

TEST(SparsityJson, RoundTripForEveryMode)
{
    std::vector<spw::SparsityConfig> configs;
    for (auto mode : spw::allModes())
        configs.push_back(spw::defaultsFor(mode));
    auto fixed = spw::defaultsFor(SparsityMode::Fixed);
    fixed.differentLayoutPerHead = true;
    fixed.numLocalBlocks = 8;
    fixed.numGlobalBlocks = 2;
    fixed.numDifferentGlobalPatterns = 3;
    fixed.horizontalGlobalAttention = true;
    fixed.numHeads = 12;
    fixed.seed = 18446744073709551615ull;
    configs.push_back(fixed);
    auto variable = spw::defaultsFor(SparsityMode::Variable);
    variable.numRandomBlocks = 2;
    variable.localWindowBlocks = { 2, 5, 3 };
    variable.globalBlockIndices = { 0, 9 };
    variable.globalBlockEndIndices = std::vector<int> { 3, 12 };
    variable.attention = AttentionDirection::Unidirectional;
    configs.push_back(variable);
    auto local = spw::defaultsFor(SparsityMode::Local);
    local.attention = AttentionDirection::Bidirectional;
    local.numSlidingWindowBlocks = 7;
    configs.push_back(local);

    for (const auto& config : configs) {
        json written = spw::sparsityConfigToJson(config);
        auto read = spw::sparsityConfigFromJson(written);
        EXPECT_EQ(read, config) << written.dump();
        EXPECT_EQ(spw::sparsityConfigToJson(read), written);
    }
    EXPECT_EQ(spw::sparsityConfigToJson(fixed)["seed"].get<std::uint64_t>(), 18446744073709551615ull);
    EXPECT_EQ(spw::sparsityConfigToJson(variable)["global_block_end_indices"], json({ 3, 12 }));
    EXPECT_TRUE(
        spw::sparsityConfigToJson(spw::defaultsFor(SparsityMode::Variable))["global_block_end_indices"].is_null());
    // Only the mode's keys are written.
    EXPECT_FALSE(spw::sparsityConfigToJson(spw::defaultsFor(SparsityMode::Dense)).contains("num_local_blocks"));
    EXPECT_FALSE(spw::sparsityConfigToJson(local).contains("num_global_blocks"));
}

TEST(SparsityJson, EqualityFollowsTheModesKeys)
{
    auto a = spw::defaultsFor(SparsityMode::BigBird);
    auto b = a;
    b.numLocalBlocks = 12; // a fixed-mode field: no effect on bigbird
    EXPECT_EQ(a, b);
    b.numRandomBlocks = 1;
    EXPECT_FALSE(a == b);
}

TEST(SparsityJson, FilesSaveAndLoad)
{
    auto dir = spw::test::makeTempDir("spw-sparsity-json");
    auto config = spw::defaultsFor(SparsityMode::BigBird);
    config.numRandomBlocks = 2;
    config.seed = 5;
    const std::string path = dir + "/bigbird.json";
    spw::saveSparsityConfig(config, path);
    EXPECT_EQ(spw::loadSparsityConfig(path), config);

    auto expectFileError = [](const std::string& file, std::vector<std::string> fragments) {
        try {
            spw::loadSparsityConfig(file);
            ADD_FAILURE() << "no error for " << file;
        } catch (const spw::Error& e) {
            std::string message = e.what();
            EXPECT_EQ(message.find('\n'), std::string::npos) << message;
            for (const auto& fragment : fragments)
                EXPECT_NE(message.find(fragment), std::string::npos) << message;
        }
    };
    expectFileError(dir + "/missing.json", { "missing.json", "cannot open" });
    std::ofstream(dir + "/broken.json") << "{\"mode\": \"fixed\",";
    expectFileError(dir + "/broken.json", { "broken.json", "not valid JSON" });
    std::ofstream(dir + "/badkey.json") << R"({"mode": "fixed", "blocks": 16})";
    expectFileError(dir + "/badkey.json", { "badkey.json", "blocks" });
    std::filesystem::remove_all(dir);
}

// The presets the GUI ships: one per mode, each valid and giving a layout.
TEST(SparsityJson, PresetsAreValid)
{
    const std::filesystem::path presets = std::filesystem::path(SPW_SOURCE_DIR) / "resources" / "presets";
    for (auto mode : spw::allModes()) {
        const auto path = presets / (std::string(spw::modeName(mode)) + ".json");
        ASSERT_TRUE(std::filesystem::exists(path)) << path;
        auto config = spw::loadSparsityConfig(path.string());
        EXPECT_EQ(config.mode, mode) << path;
    }
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(presets))
        if (entry.path().extension() == ".json") {
            EXPECT_NO_THROW(spw::makeLayout(spw::loadSparsityConfig(entry.path().string()), 512, 12)) << entry.path();
            ++count;
        }
    EXPECT_GE(count, 6);
}
