#pragma once
// A profile's results as files.
//
// JSON: {"machine": {host_name, cpu_model, cpu_cores, torch_threads, gpu_name, libtorch_version},
//        "settings": {...as given by the caller...},
//        "results": [{"seq_len", "batch", "layout", "padded_length", "density", "dense_ms", "sparse_ms", "speedup",
//                     "dense_spread_ms": [min, max], "sparse_spread_ms": [min, max], "dense_peak_mib",
//                     "sparse_peak_mib", "max_abs_diff", "cosine",
//                     "per_layer": [{"layer", "attention_ms", "other_ms"}] (sparse run),
//                     "dense_per_layer": [same, dense run],
//                     with a quality text (profile_quality.h), also: "loss", "perplexity", "accuracy" (the layout),
//                     "dense_loss", "dense_perplexity", "dense_accuracy" (dense attention), "scored_tokens"}]}
// Times are medians over the timed repeats, in milliseconds; spreads are the min and max of the same repeats.
// CSV: a header line, then one line per result with the scalar fields above (spreads as *_min_ms, *_max_ms; per
// layer: sums over layers as dense/sparse_attention_ms and dense/sparse_other_ms); the quality columns only when
// some result has them (empty where one has not).
#include "profile/machine_info.h"
#include "profile/profile_types.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace spw {

class EncoderModel;

nlohmann::json machineToJson(const MachineInfo& machine);
nlohmann::json profilePointToJson(const ProfilePoint& point);
nlohmann::json profileToJson(
    const MachineInfo& machine, const nlohmann::json& settings, const std::vector<ProfilePoint>& points);
std::string profileToCsv(const std::vector<ProfilePoint>& points);

// The report's "settings": the model profiled (`source`: its folder, or "demo"), device, dtype, the sweep and how it
// timed and measured; `inputs` says where the token ids came from ("synthetic", "text:FILE"). The CLI and the GUI
// both write it, so that reports from either read alike.
nlohmann::json profileSettingsToJson(
    const ProfileSettings& settings, const EncoderModel& model, const std::string& source, const std::string& inputs);

// spw::Error naming `flag` and `path` when a report could not be written there (a folder, or a parent folder that
// is missing or read-only): checked before a sweep that may run for hours, not after it.
void checkReportPath(const std::string& path, const std::string& flag);

// Writes `text` to `path` atomically (engine/common/durable_files.h); spw::Error naming the file (and `flag`) when
// it cannot.
void writeReportFile(const std::string& path, const std::string& text, const std::string& flag);

} // namespace spw
