#pragma once
// The weight files of a HuggingFace checkpoint folder:
//   model.safetensors                      one file, or
//   model.safetensors.index.json           {"metadata": {...}, "weight_map": {"<tensor>": "<shard file>", ...}}
//                                          with the shards beside it (a shard path that leaves the folder is an
//                                          error, and so is a tensor missing from its shard).
// pytorch_model.bin (a pickle) is never unpickled: a folder with only that file is an error that says how to
// convert it to safetensors.
#include "common/progress.h"

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

namespace spw {

struct CheckpointFiles {
    std::vector<std::string> files; // the safetensors files to read, in order
    bool sharded = false;
    std::map<std::string, std::string> weightMap; // tensor -> file (sharded checkpoints only)
};

// Finds the weight files of `directory`; throws spw::Error naming what is missing or wrong.
CheckpointFiles findCheckpointFiles(const std::string& directory);

// Reads every tensor of the folder's checkpoint (CPU, their stored dtypes). Reports progress per file.
std::map<std::string, at::Tensor> loadCheckpointTensors(
    const std::string& directory, const ProgressCallback& progress = {});

} // namespace spw
