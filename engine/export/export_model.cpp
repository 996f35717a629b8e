#include "export/export_model.h"

#include "common/error.h"
#include "convert/sparse_attention_record.h"
#include "export/folder_files.h"
#include "export/staging_folder.h"
#include "io/safetensors.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace spw {
namespace fs = std::filesystem;
namespace {

// The canonical form of a path that may not exist yet (its existing prefix resolved through symlinks).
fs::path resolved(const fs::path& path)
{
    std::error_code error;
    fs::path result = fs::weakly_canonical(fs::absolute(path), error);
    if (error)
        fail("{}: cannot resolve the path ({})", path.string(), error.message());
    if (result.filename().empty())
        result = result.parent_path();
    return result;
}

bool isWithin(const fs::path& inner, const fs::path& outer)
{
    auto [outerEnd, innerIt] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
    return outerEnd == outer.end();
}

void checkSourceAndTarget(const std::string& sourceDirectory, const std::string& outDirectory)
{
    if (outDirectory.empty())
        fail("the output folder is not given");
    if (sourceDirectory.empty())
        return;
    std::error_code error;
    if (!fs::is_directory(sourceDirectory, error))
        fail("{}: the source folder does not exist", sourceDirectory);
    const fs::path source = resolved(sourceDirectory);
    const fs::path out = resolved(outDirectory);
    if (out == source)
        fail("{}: the output folder is the source folder; export never modifies the source", outDirectory);
    if (isWithin(out, source))
        fail("{}: the output folder lies inside the source folder {}; export never modifies the source",
             outDirectory, sourceDirectory);
    if (isWithin(source, out))
        fail("{}: the output folder contains the source folder {}; replacing it would delete the source",
             outDirectory, sourceDirectory);
}

nlohmann::json exportedConfig(const EncoderModel& model)
{
    nlohmann::json config = model.config().toJson();
    if (std::optional<nlohmann::json> sparse = sparseAttentionJson(model))
        config["sparse_attention"] = *sparse;
    else
        config.erase("sparse_attention");
    return config;
}

void writeConfig(const nlohmann::json& config, const fs::path& path)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        fail("{}: cannot open for writing", path.string());
    out << config.dump(2) << '\n';
    if (!out)
        fail("{}: write failed", path.string());
}

std::map<std::string, at::Tensor> exportedTensors(const EncoderModel& model)
{
    std::map<std::string, at::Tensor> tensors;
    for (const auto& [name, tensor] : model.namedParameters())
        tensors[name] = tensor.to(at::kCPU, model.sourceDtype()).contiguous();
    return tensors;
}

} // namespace

ExportResult exportModel(const EncoderModel& model, const ConversionRecord& record,
                         const std::string& sourceDirectory, const std::string& outDirectory, bool force,
                         const ProgressCallback& progress)
{
    checkSourceAndTarget(sourceDirectory, outDirectory);
    // Everything that can fail on the model's side fails before a folder is created.
    const nlohmann::json config = exportedConfig(model);
    reportProgress(progress, 0.0f);

    StagingFolder staging(outDirectory, force);
    ExportResult result;
    result.directory = staging.destination().string();
    writeConfig(config, staging.path() / "config.json");
    result.files.push_back("config.json");
    reportProgress(progress, 0.05f);

    saveSafetensors((staging.path() / "model.safetensors").string(), exportedTensors(model));
    result.files.push_back("model.safetensors");
    reportProgress(progress, 0.8f);

    if (!sourceDirectory.empty()) {
        ProgressCallback copying;
        if (progress)
            copying = [&](float fraction) { return progress(0.8f + 0.19f * fraction); };
        CopiedFiles copied = copyFolderFiles(sourceDirectory, staging.path(), record.tokenizerModelMaxLength, copying);
        result.files.insert(result.files.end(), copied.written.begin(), copied.written.end());
        result.skipped = std::move(copied.skipped);
    }
    reportProgress(progress, 0.99f);
    staging.commit();
    std::sort(result.files.begin(), result.files.end());
    if (progress)
        progress(1.0f);  // done: too late to cancel, the folder is in place
    return result;
}

} // namespace spw
