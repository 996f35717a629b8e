#include "profile/profile_report.h"

#include "common/dtype_names.h"
#include "common/durable_files.h"
#include "common/error.h"
#include "model/encoder_model.h"
#include "profile/profiler.h"
#include "sparsity/sparsity_config.h"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace spw {
namespace {

nlohmann::json layersToJson(const std::vector<LayerTiming>& layers)
{
    nlohmann::json result = nlohmann::json::array();
    for (const LayerTiming& layer : layers)
        result.push_back(
            { { "layer", layer.layer }, { "attention_ms", layer.attentionMs }, { "other_ms", layer.otherMs } });
    return result;
}

double attentionSum(const RunMeasurement& run)
{
    return std::accumulate(run.layers.begin(), run.layers.end(), 0.0,
        [](double sum, const LayerTiming& layer) { return sum + layer.attentionMs; });
}

double otherSum(const RunMeasurement& run)
{
    return std::accumulate(run.layers.begin(), run.layers.end(), 0.0,
        [](double sum, const LayerTiming& layer) { return sum + layer.otherMs; });
}

// A CSV field: quoted when it holds a separator, quote or line break.
std::string csvField(const std::string& text)
{
    if (text.find_first_of(",\"\n\r") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

} // namespace

nlohmann::json machineToJson(const MachineInfo& machine)
{
    nlohmann::json json
        = { { "host_name", machine.hostName }, { "cpu_model", machine.cpuModel }, { "cpu_cores", machine.cpuCores },
              { "torch_threads", machine.torchThreads }, { "libtorch_version", machine.libtorchVersion } };
    if (!machine.gpuName.empty())
        json["gpu_name"] = machine.gpuName;
    if (!machine.blasLibrary.empty())
        json["blas"] = machine.blasLibrary;
    return json;
}

nlohmann::json profilePointToJson(const ProfilePoint& point)
{
    nlohmann::json json = { { "seq_len", point.seqLen }, { "batch", point.batch }, { "layout", point.layout },
        { "padded_length", point.paddedLength }, { "density", point.density },
        { "dense_ms", point.dense.time.medianMs }, { "sparse_ms", point.sparse.time.medianMs },
        { "speedup", point.speedup }, { "dense_spread_ms", { point.dense.time.minMs, point.dense.time.maxMs } },
        { "sparse_spread_ms", { point.sparse.time.minMs, point.sparse.time.maxMs } },
        { "dense_peak_mib", point.dense.peakMiB }, { "sparse_peak_mib", point.sparse.peakMiB },
        { "max_abs_diff", point.maxAbsDiff }, { "cosine", point.cosine },
        { "per_layer", layersToJson(point.sparse.layers) }, { "dense_per_layer", layersToJson(point.dense.layers) } };
    if (const std::optional<MlmQuality>& quality = point.sparse.quality) {
        json["loss"] = quality->loss;
        json["perplexity"] = quality->perplexity;
        json["accuracy"] = quality->accuracy;
        json["scored_tokens"] = quality->tokens;
    }
    if (const std::optional<MlmQuality>& quality = point.dense.quality) {
        json["dense_loss"] = quality->loss;
        json["dense_perplexity"] = quality->perplexity;
        json["dense_accuracy"] = quality->accuracy;
        json["scored_tokens"] = quality->tokens; // the same tokens as the layout's
    }
    return json;
}

nlohmann::json profileToJson(
    const MachineInfo& machine, const nlohmann::json& settings, const std::vector<ProfilePoint>& points)
{
    nlohmann::json results = nlohmann::json::array();
    for (const ProfilePoint& point : points)
        results.push_back(profilePointToJson(point));
    return { { "machine", machineToJson(machine) }, { "settings", settings }, { "results", std::move(results) } };
}

std::string profileToCsv(const std::vector<ProfilePoint>& points)
{
    const bool withQuality = std::any_of(points.begin(), points.end(),
        [](const ProfilePoint& p) { return p.dense.quality.has_value() || p.sparse.quality.has_value(); });
    std::string csv = "seq_len,batch,layout,padded_length,density,dense_ms,sparse_ms,speedup,dense_min_ms,"
                      "dense_max_ms,sparse_min_ms,sparse_max_ms,dense_peak_mib,sparse_peak_mib,max_abs_diff,cosine,"
                      "dense_attention_ms,dense_other_ms,sparse_attention_ms,sparse_other_ms";
    csv += withQuality ? ",dense_loss,dense_perplexity,dense_accuracy,loss,perplexity,accuracy,scored_tokens\n" : "\n";
    for (const ProfilePoint& p : points) {
        csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}", p.seqLen, p.batch,
            csvField(p.layout), p.paddedLength, p.density, p.dense.time.medianMs, p.sparse.time.medianMs, p.speedup,
            p.dense.time.minMs, p.dense.time.maxMs, p.sparse.time.minMs, p.sparse.time.maxMs, p.dense.peakMiB,
            p.sparse.peakMiB, p.maxAbsDiff, p.cosine, attentionSum(p.dense), otherSum(p.dense), attentionSum(p.sparse),
            otherSum(p.sparse));
        if (withQuality) {
            auto fields = [](const std::optional<MlmQuality>& q) {
                return q ? fmt::format(",{},{},{}", q->loss, q->perplexity, q->accuracy) : std::string(",,,");
            };
            const std::optional<MlmQuality>& scored = p.sparse.quality ? p.sparse.quality : p.dense.quality;
            csv += fields(p.dense.quality) + fields(p.sparse.quality) + ","
                + (scored ? std::to_string(scored->tokens) : std::string());
        }
        csv += '\n';
    }
    return csv;
}

nlohmann::json profileSettingsToJson(
    const ProfileSettings& settings, const EncoderModel& model, const std::string& source, const std::string& inputs)
{
    nlohmann::json layouts = nlohmann::json::array();
    for (const ProfileLayout& layout : settings.layouts)
        layouts.push_back({ { "name", layout.name }, { "config", sparsityConfigToJson(layout.config) } });
    const ModelConfig& config = model.config();
    return { { "model",
                 { { "source", source }, { "model_type", config.modelType }, { "layers", config.numHiddenLayers },
                     { "hidden", config.hiddenSize }, { "heads", config.numAttentionHeads },
                     { "intermediate", config.intermediateSize },
                     { "max_position_embeddings", config.maxPositionEmbeddings } } },
        { "device", model.device().str() }, { "dtype", dtypeName(model.computeDtype()) },
        { "seq_lens", settings.seqLens }, { "batches", settings.batches }, { "layouts", layouts },
        { "warmup", settings.warmup }, { "repeats", settings.repeats }, { "inputs", inputs },
        { "padding_fraction", settings.paddingFraction }, { "seed", settings.seed }, { "extend", settings.extend },
        { "timing", model.device().is_cuda() ? "cuda events, median of repeats" : "steady clock, median of repeats" },
        { "memory", memoryMethod(model.device()) },
        { "memory_note", "peak increase over the memory in use before the timed forwards" } };
}

void checkReportPath(const std::string& path, const std::string& flag)
{
    namespace fs = std::filesystem;
    std::error_code error;
    if (fs::is_directory(path, error))
        fail("{} {}: is a folder, not a file", flag, path);
    const fs::path parent = fs::absolute(fs::path(path), error).parent_path();
    if (!fs::is_directory(parent, error))
        fail("{} {}: the folder {} does not exist", flag, path, parent.string());
    if (::access(parent.c_str(), W_OK) != 0 || (fs::exists(path, error) && ::access(path.c_str(), W_OK) != 0))
        fail("{} {}: cannot write there (permission denied)", flag, path);
}

void writeReportFile(const std::string& path, const std::string& text, const std::string& flag)
{
    try {
        writeFileAtomically(path, text);
    } catch (const EnvironmentError& e) {
        failEnvironment("{} {}", flag, e.what());
    } catch (const Error& e) {
        fail("{} {}", flag, e.what());
    }
}

} // namespace spw
