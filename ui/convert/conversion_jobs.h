#pragma once
// The Convert & export page's engine work, run off the GUI thread: previewing a conversion, comparing the converted
// model with the loaded one on a text, and exporting. Each job converts its own copy of the model, reloaded from
// the loaded model's folder, so the model the other pages show is never modified.
#include "common/progress.h"
#include "model/loaded_model.h"
#include "sparsity/sparsity_config.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <cstdint>
#include <optional>
#include <vector>

namespace spw::ui {

// What the page's form describes (engine/convert/conversion_plan.h's ConversionPlan, without its LibTorch headers).
struct ConversionSettings {
    std::optional<std::int64_t> maxLength; // unset: keep the model's maximum length
    std::optional<SparsityConfig> sparsity; // unset: extend positions only
    std::vector<int> layers; // the layers to make sparse
    std::uint64_t seed = 0;
};

struct PreviewRow {
    QString key;
    QString value;
};

struct ConversionPreviewResult {
    QVector<PreviewRow> rows;
    double attentionCostRelativeToDense = 1.0;
    std::int64_t positionRowsBefore = 0;
    std::int64_t positionRowsAfter = 0;
    std::vector<int> layersTouched;
};

// Throws spw::Error naming the problem (length not above the current maximum, num_heads, layers, ...).
ConversionPreviewResult previewConversion(const LoadedModel& model, const ConversionSettings& settings);

struct DriftRow {
    QString output; // "last_hidden_state", "logits", "pooler_output"
    double maxAbsDiff = 0;
    double meanAbsDiff = 0;
    double cosine = 1; // of the flattened outputs
};

struct DriftReport {
    std::int64_t tokens = 0;
    std::int64_t paddedTokens = 0; // the length the converted model ran at (padded to its blocks)
    QVector<DriftRow> rows;
};

// Tokenizes `text` (truncated to the loaded model's maximum length), runs it through the loaded model and through
// a converted copy (padded to the block, outputs cut back) and measures how far the outputs moved. Needs the
// model's tokenizer.
DriftReport compareOnText(const LoadedModel& model, const ConversionSettings& settings, const QString& text,
    const ProgressCallback& progress);

struct ExportSummary {
    QString directory;
    QStringList files;
};

// Converts a copy and exports it to `outDirectory`, which must not exist unless `replace`
// (engine/export/export_model.h: the old folder goes only once the new one is complete).
ExportSummary exportConversion(const LoadedModel& model, const ConversionSettings& settings,
    const QString& outDirectory, bool replace, const ProgressCallback& progress);

} // namespace spw::ui
