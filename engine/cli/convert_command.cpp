// `sparse-workbench-cli convert SRC --out DIR [--max-position N] [--sparsity CONFIG.json] [--layers 0,2,...]
// [--seed S] [--force]`: extends the position table and/or gives layers block-sparse attention, then exports the
// result as a HuggingFace folder. Prints a JSON summary on stdout.
#include "cli/commands.h"
#include "cli/interruption.h"

#include "common/available_memory.h"
#include "common/error.h"
#include "common/utf8_text.h"
#include "convert/conversion_plan.h"
#include "convert/sparse_attention_record.h"
#include "export/export_model.h"
#include "export/staging_folder.h"
#include "sparsity/sparsity_config.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <ostream>

namespace spw::cli {
namespace {

// Checks each flag against the model so that the message names the flag at fault (the plan's own checks, run
// afterwards, only name the values).
void checkFlags(const ModelConfig& model, const ConversionPlan& plan, const std::string& sparsityPath)
{
    if (plan.maxLength && *plan.maxLength <= model.usableMaxLength())
        fail("convert: --max-position {} must exceed the model's current maximum {} (max_position_embeddings {})",
            *plan.maxLength, model.usableMaxLength(), model.maxPositionEmbeddings);
    // The new position table in float32, and its copy in the source's dtype on export.
    if (plan.maxLength)
        requireMemory(2.0 * 4.0 * double(*plan.maxLength) * double(model.hiddenSize),
            fmt::format("convert: --max-position {}: a position table of {} × {}", *plan.maxLength, *plan.maxLength,
                model.hiddenSize));
    if (plan.layers)
        for (int layer : *plan.layers)
            if (layer >= model.numHiddenLayers)
                fail("convert: --layers: layer {} is out of range: the model has {} layers (0 to {})", layer,
                    model.numHiddenLayers, model.numHiddenLayers - 1);
    if (plan.sparsity && plan.sparsity->numHeads != 0 && plan.sparsity->numHeads != model.numAttentionHeads)
        fail("convert: --sparsity {}: num_heads {} differs from the model's num_attention_heads {}", sparsityPath,
            plan.sparsity->numHeads, model.numAttentionHeads);
}

int runConvert(const Arguments& args, std::ostream& out, std::ostream& err)
{
    const std::string source = args.positional().front();
    const std::string outDirectory = args.required("out");
    if (!args.has("max-position") && !args.has("sparsity"))
        fail("convert: give --max-position and/or --sparsity (nothing to convert)");
    if (args.has("layers") && !args.has("sparsity"))
        fail("convert: --layers needs --sparsity");
    if (args.has("seed") && !args.has("sparsity"))
        fail("convert: --seed needs --sparsity");

    ConversionPlan plan;
    if (auto maxLength = args.integer("max-position", 1, std::numeric_limits<std::int32_t>::max()))
        plan.maxLength = *maxLength;
    if (auto seed = args.integer("seed", 0, std::numeric_limits<std::int64_t>::max()))
        plan.seed = std::uint64_t(*seed);
    if (args.has("layers")) {
        plan.layers.emplace();
        for (std::int64_t layer : args.integerList("layers", 0, std::numeric_limits<std::int32_t>::max()))
            plan.layers->push_back(int(layer));
        if (plan.layers->empty())
            fail("convert: --layers is empty");
    }
    const std::string sparsityPath = args.value("sparsity").value_or("");
    if (!sparsityPath.empty())
        plan.sparsity = loadSparsityConfig(sparsityPath);

    // A converted folder loads with its sparse layers, so converting it again keeps them.
    std::unique_ptr<EncoderModel> model = loadForRun(source);
    checkFlags(model->config(), plan, sparsityPath);
    const ConversionPreview preview = previewConversion(model->config(), plan);
    const ConversionRecord record = applyConversionPlan(*model, plan);
    const ExportResult exported = [&] {
        InterruptionGuard interruption;
        try {
            return exportModel(*model, record, source, outDirectory, args.has("force"), interruption.progress());
        } catch (const OutputFolderExists& e) {
            fail("{} (use --force to replace it)", e.what());
        } catch (...) {
            // A signal cancels the export (or fails a write it interrupted): the half-written folder is gone by now.
            if (interruption.signal() != 0)
                interruption.endBySignal(err, fmt::format("convert: export cancelled, {} is as it was", outDirectory));
            throw;
        }
    }();

    for (const std::string& skipped : exported.skipped)
        err << "convert: not copied: " << skipped << '\n';
    // Paths are bytes, JSON is UTF-8 (common/utf8_text.h).
    nlohmann::json summary = {
        { "source", validUtf8(source) },
        { "output", validUtf8(exported.directory) },
        { "files", validUtf8(exported.files) },
        { "skipped", validUtf8(exported.skipped) },
        { "model_type", model->config().modelType },
        { "max_position_embeddings", model->config().maxPositionEmbeddings },
        { "preview", preview.toJson() },
    };
    if (record.tokenizerModelMaxLength)
        summary["model_max_length"] = *record.tokenizerModelMaxLength;
    if (std::optional<nlohmann::json> sparse = sparseAttentionJson(*model))
        summary["sparse_attention"] = *sparse;
    out << summary.dump(2) << '\n';
    return 0;
}

} // namespace

Command convertCommand()
{
    CommandSpec spec {
        "convert",
        "Extend a model's maximum length and/or give it block-sparse attention; export a HuggingFace folder",
        "SRC",
        1,
        1,
        {
            { "out", "DIR", "the folder to write (must not exist unless --force)" },
            { "max-position", "N", "extend the position table to N positions (copy initialisation)" },
            { "sparsity", "CONFIG.json", "sparsity configuration (ds_config or its sparse_attention object)" },
            { "layers", "0,2,...", "the layers to make sparse (default: all)" },
            { "seed", "S", "seed of the layout's random blocks (default: the configuration's seed, else 0)" },
            { "force", "", "replace DIR when it exists and is empty or a model folder (config.json, no subfolders)" },
        },
    };
    return { spec, runConvert };
}

} // namespace spw::cli
