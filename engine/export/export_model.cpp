#include "export/export_model.h"

#include "common/durable_files.h"
#include "common/error.h"
#include "common/output_paths.h"
#include "convert/sparse_attention_record.h"
#include "export/export_destination.h"
#include "export/folder_files.h"
#include "export/staging_folder.h"
#include "io/safetensors.h"

#include <filesystem>
#include <system_error>

namespace spw {
namespace fs = std::filesystem;

void checkExportDestination(const std::string& sourceDirectory, const std::string& outDirectory)
{
    if (outDirectory.empty())
        fail("the output folder is not given");
    if (sourceDirectory.empty())
        return;
    std::error_code error;
    if (!fs::is_directory(sourceDirectory, error))
        fail("{}: the source folder does not exist", sourceDirectory);
    const fs::path source = resolvedPath(sourceDirectory);
    const fs::path out = resolvedPath(outDirectory);
    if (out == source)
        fail("{}: the output folder is the source folder; export never modifies the source", outDirectory);
    if (isSameOrWithin(out, source))
        fail("{}: the output folder lies inside the source folder {}; export never modifies the source", outDirectory,
            sourceDirectory);
    if (isSameOrWithin(source, out))
        fail("{}: the output folder contains the source folder {}; replacing it would delete the source", outDirectory,
            sourceDirectory);
}

namespace {

nlohmann::json exportedConfig(const EncoderModel& model)
{
    nlohmann::json config = model.config().toJson();
    if (std::optional<nlohmann::json> sparse = sparseAttentionJson(model))
        config["sparse_attention"] = *sparse;
    else
        config.erase("sparse_attention");
    return config;
}

std::map<std::string, at::Tensor> exportedTensors(const EncoderModel& model)
{
    std::map<std::string, at::Tensor> tensors;
    for (const auto& [name, tensor] : model.namedParameters())
        tensors[name] = tensor.to(at::kCPU, model.sourceDtype()).contiguous();
    return tensors;
}

} // namespace

ExportResult exportModel(const EncoderModel& model, const ConversionRecord& record, const std::string& sourceDirectory,
    const std::string& outDirectory, bool force, const ProgressCallback& progress)
{
    checkExportDestination(sourceDirectory, outDirectory);
    // Everything that can fail on the model's side fails before a folder is created.
    const nlohmann::json config = exportedConfig(model);
    reportProgress(progress, 0.0f);

    StagingFolder staging(outDirectory, force);
    ExportResult result;
    result.directory = staging.destination().string();
    writeFileAtomically(staging.path() / "config.json", config.dump(2) + '\n');
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
        progress(1.0f); // done: too late to cancel, the folder is in place
    return result;
}

} // namespace spw
