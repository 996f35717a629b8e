// Checkpoint folders: sharded checkpoints through the index (the fixture transformers sharded), shard paths that
// leave the folder, and pickle-only folders.
#include "common/error.h"
#include "common/temp_dir.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

namespace fs = std::filesystem;

namespace {

const std::string kSharded = std::string(SPW_FIXTURES_DIR) + "/models/bert_cls_sharded";

std::string errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const spw::Error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST(Checkpoint, ReadsTransformersShardsThroughTheIndex)
{
    spw::CheckpointFiles files = spw::findCheckpointFiles(kSharded);
    EXPECT_TRUE(files.sharded);
    EXPECT_EQ(files.files.size(), 3u);
    auto tensors = spw::loadCheckpointTensors(kSharded);
    // transformers' index records total_parameters: 23587 for this model.
    std::int64_t total = 0;
    for (const auto& [name, tensor] : tensors)
        total += tensor.numel();
    EXPECT_EQ(total, 23587);
    EXPECT_EQ(tensors.count("classifier.weight"), 1u);
}

TEST(Checkpoint, ProgressCanCancel)
{
    EXPECT_THROW(spw::loadCheckpointTensors(kSharded, [](float fraction) { return fraction < 0.5f; }), spw::Cancelled);
}

TEST(Checkpoint, RejectsShardPathsLeavingTheFolderAndMissingShards)
{
    std::string dir = spw::test::makeTempDir("spw-checkpoint");
    std::ofstream(dir + "/model.safetensors.index.json") << R"({"weight_map": {"a": "../outside.safetensors"}})";
    EXPECT_NE(errorOf([&] { spw::findCheckpointFiles(dir); }).find("leaves the model folder"), std::string::npos);
    std::ofstream(dir + "/model.safetensors.index.json") << R"({"weight_map": {"a": "/etc/passwd"}})";
    EXPECT_NE(errorOf([&] { spw::findCheckpointFiles(dir); }).find("leaves the model folder"), std::string::npos);
    std::ofstream(dir + "/model.safetensors.index.json") << R"({"weight_map": {"a": "shard.safetensors"}})";
    EXPECT_NE(errorOf([&] { spw::loadCheckpointTensors(dir); }).find("missing"), std::string::npos);
    spw::saveSafetensors(dir + "/shard.safetensors", { { "b", at::zeros({ 2 }) } });
    EXPECT_NE(errorOf([&] { spw::loadCheckpointTensors(dir); }).find("tensor 'a'"), std::string::npos);
    fs::remove_all(dir);
}

TEST(Checkpoint, PickleOnlyFolderSaysHowToConvert)
{
    std::string dir = spw::test::makeTempDir("spw-checkpoint");
    std::ofstream(dir + "/pytorch_model.bin") << "not read";
    std::string message = errorOf([&] { spw::findCheckpointFiles(dir); });
    EXPECT_NE(message.find("pytorch_model.bin"), std::string::npos) << message;
    EXPECT_NE(message.find("safetensors"), std::string::npos) << message;
    fs::remove(dir + "/pytorch_model.bin");
    EXPECT_NE(errorOf([&] { spw::findCheckpointFiles(dir); }).find("no model.safetensors"), std::string::npos);
    fs::remove_all(dir);
}
