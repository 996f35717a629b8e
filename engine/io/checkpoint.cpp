#include "io/checkpoint.h"

#include "common/error.h"
#include "common/file_reading.h"
#include "common/folder_containment.h"
#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

namespace spw {
namespace fs = std::filesystem;

namespace {

// A shard named in the index must stay inside the checkpoint folder (no "..", no absolute path, no link out).
std::string shardPath(const fs::path& directory, const std::string& shard, const std::string& indexPath)
{
    fs::path relative(shard);
    if (shard.empty() || relative.is_absolute())
        fail("{}: shard path '{}' leaves the model folder", indexPath, shard);
    for (const auto& part : relative)
        if (part == "..")
            fail("{}: shard path '{}' leaves the model folder", indexPath, shard);
    fs::path full = directory / relative;
    if (!resolvesInsideFolder(directory, full))
        fail("{}: shard path '{}' leaves the model folder", indexPath, shard);
    return full.string();
}

} // namespace

CheckpointFiles findCheckpointFiles(const std::string& directory)
{
    fs::path dir(directory);
    if (!fs::is_directory(dir))
        fail("{}: not a folder", directory);
    CheckpointFiles result;
    fs::path single = dir / "model.safetensors";
    fs::path index = dir / "model.safetensors.index.json";
    if (fs::exists(single)) {
        requireInsideFolder(dir, single);
        result.files.push_back(single.string());
        return result;
    }
    if (fs::exists(index)) {
        requireInsideFolder(dir, index);
        nlohmann::json json = readJsonFile(index.string());
        if (!json.is_object() || !json.contains("weight_map") || !json["weight_map"].is_object())
            fail("{}: missing \"weight_map\" object", index.string());
        std::set<std::string> seen;
        for (auto it = json["weight_map"].begin(); it != json["weight_map"].end(); ++it) {
            if (!it->is_string())
                fail("{}: \"weight_map\" entry '{}' is not a file name", index.string(), it.key());
            std::string path = shardPath(dir, it->get<std::string>(), index.string());
            result.weightMap[it.key()] = path;
            if (seen.insert(path).second)
                result.files.push_back(path);
        }
        if (result.files.empty())
            fail("{}: \"weight_map\" is empty", index.string());
        result.sharded = true;
        return result;
    }
    if (fs::exists(dir / "pytorch_model.bin"))
        fail("{}: only pytorch_model.bin (a pickle, which is never loaded) was found; convert it to safetensors "
             "first, e.g. in Python: AutoModel.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)",
            directory);
    fail("{}: no model.safetensors or model.safetensors.index.json", directory);
}

std::map<std::string, at::Tensor> loadCheckpointTensors(const std::string& directory, const ProgressCallback& progress)
{
    CheckpointFiles files = findCheckpointFiles(directory);
    std::map<std::string, at::Tensor> tensors;
    reportProgress(progress, 0.0f);
    for (std::size_t i = 0; i < files.files.size(); ++i) {
        const std::string& path = files.files[i];
        if (!fs::exists(path))
            fail("{}: shard named in model.safetensors.index.json is missing", path);
        SafetensorsFile file(path);
        for (const auto& info : file.header().tensors) {
            if (files.sharded) {
                auto mapped = files.weightMap.find(info.name);
                // The index is the authority: a tensor it places elsewhere, or nowhere, is not read from this shard.
                if (mapped == files.weightMap.end() || mapped->second != path)
                    continue;
            }
            tensors[info.name] = file.tensor(info.name);
        }
        reportProgress(progress, float(i + 1) / float(files.files.size()));
    }
    for (const auto& [name, path] : files.weightMap)
        if (!tensors.count(name))
            fail("{}: tensor '{}' named in model.safetensors.index.json is not in that shard", path, name);
    return tensors;
}

} // namespace spw
