#pragma once
// The Convert & export page's engine work, run off the GUI thread: previewing a conversion, comparing the converted
// model with the loaded one on a text, and exporting. Each job converts its own copy of the model, reloaded from
// the loaded model's folder, so the model the other pages show is never modified.
#include "common/progress.h"
#include "model/loaded_model.h"
#include "quality_text.h"
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

// How the sample text is made as long as the comparison's length.
enum class DriftFill {
    Repeat, // copies of the text, joined by line breaks, cut to the length: every position holds a real token
    Pad, // the text once, padded with the pad token (attention mask 0): only the text's own tokens are attended
};

struct DriftReport {
    std::int64_t tokens = 0; // the length both models ran at (special tokens and padding included)
    std::int64_t paddedTokens = 0; // that length padded to the converted model's blocks
    std::int64_t realTokens = 0; // the tokens compared: all of them, or the text's own when padded
    std::int64_t textTokens = 0; // the sample text's own tokens, special tokens included, before any cut
    int repeats = 1; // copies of the text joined (DriftFill::Repeat)
    DriftFill fill = DriftFill::Repeat;
    // Without sparse attention only positions change, and the loaded model cannot run past its own maximum: the
    // comparison then runs at that maximum.
    bool positionsOnly = false;
    // The sparse layers' layout at paddedTokens (the corner the converted model uses there): 1 means every block
    // is computed, so the sparse layers compute what dense ones do.
    std::optional<double> layoutDensity;
    QVector<DriftRow> rows;
};

// Compares a converted copy with the model as it would be without this conversion's sparse attention (positions
// extended the same way), at the converted maximum length: the sample text is repeated or padded to that length
// (`fill`), both models run it (padded to the block, outputs cut back) and the outputs' drift is measured over the
// real tokens. Without sparse attention, compares with the loaded model at its own maximum. Needs the model's
// tokenizer; throws spw::Error for an empty text.
DriftReport compareOnText(const LoadedModel& model, const ConversionSettings& settings, const QString& text,
    DriftFill fill, const ProgressCallback& progress);

// One measured configuration of a quality comparison.
struct QualityRow {
    QString name; // "original", "extended, dense", "converted"
    QString description; // what it is, for the tooltip
    std::int64_t length = 0; // window length in tokens
    std::int64_t tokens = 0; // tokens scored (the same for every row)
    double loss = 0;
    double perplexity = 0;
    double accuracy = 0;
};

struct QualityReport {
    QVector<QualityRow> rows; // the original first, the converted model last
    QString text; // QualityTextChoice::description()
    std::int64_t textTokens = 0; // text tokens read, up to the budget
    bool wholeText = false; // the text had fewer tokens than the budget
    bool throughLayout = false; // engine/quality/conversion_quality.h
};

// The masked-LM loss, perplexity and top-1 accuracy of the loaded model as it is (its own maximum length) and of its
// conversion (the converted length) on the same masked tokens of the chosen text
// (engine/quality/conversion_quality.h). Nothing is reloaded: the loaded model's weights are shared. Throws
// spw::Error for a model without a masked-LM head, a bad plan, a text that cannot be read or gives no tokens.
QualityReport measureQuality(const LoadedModel& model, const ConversionSettings& settings,
    const QualityTextChoice& text, const ProgressCallback& progress);

struct ExportSummary {
    QString directory;
    QStringList files;
};

// Converts a copy and exports it to `outDirectory`, which must not exist unless `replace`
// (engine/export/export_model.h: the old folder goes only once the new one is complete).
ExportSummary exportConversion(const LoadedModel& model, const ConversionSettings& settings,
    const QString& outDirectory, bool replace, const ProgressCallback& progress);

} // namespace spw::ui
