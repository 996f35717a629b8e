#pragma once
// The "sparse_attention" object a converted model's config.json carries, so that loading it brings back the same
// block-sparse attention (same layout, random blocks included):
//   "sparse_attention": {
//     "mode": "fixed", "block": 16, ...   the configuration in ds_config spelling (engine/sparsity)
//     "num_heads": 12,                    the model's heads
//     "seed": 0,                          the seed of the layout's random blocks
//     "layers": [0, 1, ...]               the layers that run sparse attention (sorted, distinct)
//   }
// transformers keeps unknown config keys as attributes, so the folder still loads there (as a dense model).
#include "io/model_config.h"
#include "model/encoder_model.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

namespace spw {

// The object describing the model's sparse layers; nullopt when every layer is dense. Throws spw::Error when the
// sparse layers do not share one configuration and seed (a config.json records only one).
std::optional<nlohmann::json> sparseAttentionJson(const EncoderModel& model);

// Applies config().original["sparse_attention"], when present, to the model's layers. Throws spw::Error naming
// config.json's sparse_attention and the key at fault.
void applyRecordedSparseAttention(EncoderModel& model, const std::string& source = "config.json");

// EncoderModel::load followed by applyRecordedSparseAttention: what `run` and the GUI use to open a folder.
std::unique_ptr<EncoderModel> loadForRun(
    const std::string& directory, const LoadOptions& options = {}, const ProgressCallback& progress = {});

} // namespace spw
