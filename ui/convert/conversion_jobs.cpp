#include "convert/conversion_jobs.h"

#include "common/error.h"
#include "convert/conversion_plan.h"
#include "convert/padded_run.h"
#include "convert/sparse_attention_record.h"
#include "export/export_model.h"
#include "model/forward_observer.h"
#include "tokenizer/tokenizer.h"

#include <QCoreApplication>
#include <QLocale>

namespace spw::ui {
namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("ConversionJobs", text);
}

ConversionPlan toPlan(const LoadedModel& model, const ConversionSettings& settings)
{
    ConversionPlan plan;
    plan.maxLength = settings.maxLength;
    if (settings.sparsity) {
        plan.sparsity = settings.sparsity;
        // The designer draws at its own head count; a conversion always uses the model's heads.
        plan.sparsity->numHeads = int(model.model->config().numAttentionHeads);
        plan.layers = settings.layers;
        plan.seed = settings.seed;
    }
    return plan;
}

QString layerRanges(const std::vector<int>& layers)
{
    QStringList parts;
    for (std::size_t i = 0; i < layers.size();) {
        std::size_t j = i;
        while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1)
            ++j;
        parts.append(i == j ? QString::number(layers[i]) : QStringLiteral("%1–%2").arg(layers[i]).arg(layers[j]));
        i = j + 1;
    }
    return parts.join(QStringLiteral(", "));
}

QString percent(double fraction)
{
    return QStringLiteral("%1 %").arg(QLocale().toString(100.0 * fraction, 'f', 1));
}

std::unique_ptr<EncoderModel> convertedCopy(
    const LoadedModel& model, const ConversionSettings& settings, const ProgressCallback& progress)
{
    if (model.directory.isEmpty())
        fail("the model was not loaded from a folder: there is nothing to convert a copy from");
    std::unique_ptr<EncoderModel> copy = loadForRun(model.directory.toStdString(), {}, progress);
    applyConversionPlan(*copy, toPlan(model, settings));
    return copy;
}

// Keeps each layer's hidden state of one forward pass.
class LayerOutputs final : public ForwardObserver {
public:
    void layerStarted(int) override { }
    void attentionFinished(int) override { }
    void layerFinished(int) override { }
    void layerOutput(int, const at::Tensor& hidden) override { states.push_back(hidden); }

    std::vector<at::Tensor> states;
};

DriftRow drift(const QString& name, const at::Tensor& reference, const at::Tensor& converted)
{
    const at::Tensor a = reference.to(at::kDouble).flatten();
    const at::Tensor b = converted.to(at::kDouble).flatten();
    const at::Tensor difference = (a - b).abs();
    DriftRow row;
    row.output = name;
    row.maxAbsDiff = difference.max().item<double>();
    row.meanAbsDiff = difference.mean().item<double>();
    const double norms = a.norm().item<double>() * b.norm().item<double>();
    row.cosine = norms > 0 ? a.dot(b).item<double>() / norms : 1.0;
    return row;
}

} // namespace

ConversionPreviewResult previewConversion(const LoadedModel& model, const ConversionSettings& settings)
{
    const ModelConfig& config = model.model->config();
    const ConversionPreview preview = spw::previewConversion(config, toPlan(model, settings));
    const QLocale locale;
    auto count = [&](std::int64_t value) { return locale.toString(qlonglong(value)); };
    ConversionPreviewResult result;
    result.attentionCostRelativeToDense = preview.attentionCostRelativeToDense;
    result.positionRowsBefore = preview.positionRowsBefore;
    result.positionRowsAfter = preview.positionRowsAfter;
    result.layersTouched = preview.layersTouched;
    result.rows.push_back({ tr("Position table rows"),
        QStringLiteral("%1 → %2 × %3")
            .arg(count(preview.positionRowsBefore), count(preview.positionRowsAfter), count(config.hiddenSize)) });
    result.rows.push_back({ tr("Longest input"),
        QStringLiteral("%1 → %2 tokens").arg(count(preview.maxLengthBefore), count(preview.maxLengthAfter)) });
    if (!settings.sparsity) {
        result.rows.push_back({ tr("Self-attention"), tr("dense in every layer (positions extended only)") });
    } else {
        result.rows.push_back({ tr("Layers made sparse"),
            tr("%1 (%2 of %3)")
                .arg(layerRanges(preview.layersTouched))
                .arg(preview.layersTouched.size())
                .arg(preview.layerCount) });
        result.rows.push_back({ tr("Sparse configuration"),
            tr("%1, block %2, %3 heads, seed %4")
                .arg(QString::fromUtf8(modeName(settings.sparsity->mode)))
                .arg(settings.sparsity->block)
                .arg(config.numAttentionHeads)
                .arg(settings.seed) });
        if (preview.layoutStats) {
            const std::int64_t blocks = preview.layoutLength / settings.sparsity->block;
            result.rows.push_back({ tr("Layout"),
                tr("%1 tokens, %2 × %2 blocks, %3 dense")
                    .arg(count(preview.layoutLength))
                    .arg(blocks)
                    .arg(percent(preview.layoutStats->density)) });
        }
    }
    result.rows.push_back({ tr("Attention cost at %1 tokens").arg(count(preview.maxLengthAfter)),
        tr("%1 of dense attention in every layer").arg(percent(preview.attentionCostRelativeToDense)) });
    return result;
}

DriftReport compareOnText(
    const LoadedModel& model, const ConversionSettings& settings, const QString& text, const ProgressCallback& progress)
{
    if (!model.tokenizer)
        fail("{} has no tokenizer files: comparing needs them to tokenize the sample text",
            model.directory.toStdString());
    const EncoderModel& reference = *model.model;
    EncodeOptions options;
    options.maxLength = reference.config().usableMaxLength();
    const Encoding encoding = model.tokenizer->encode(text.toStdString(), std::nullopt, options);
    // The stages' shares follow their work: two model loads, two forwards, then the drift of every output. 1.0 is
    // left for the runner's finish, so the bar never sits full while the drift is still being measured.
    reportProgress(progress, 0.05f);
    std::unique_ptr<EncoderModel> converted = convertedCopy(
        model, settings, [&](float fraction) { return !progress || progress(0.05f + 0.3f * fraction); });

    const auto length = std::int64_t(encoding.ids.size());
    ModelInputs inputs;
    inputs.inputIds = at::tensor(encoding.ids, at::kLong).view({ 1, length });
    inputs.tokenTypeIds = at::tensor(encoding.typeIds, at::kLong).view({ 1, length });
    inputs.attentionMask = at::ones({ 1, length }, at::kLong);
    // Both runs record every layer's hidden state; the dense model is observed through a copy of its own, since the
    // loaded model is shared with the other pages.
    std::unique_ptr<EncoderModel> dense = loadForRun(model.directory.toStdString(), {},
        [&](float fraction) { return !progress || progress(0.35f + 0.15f * fraction); });
    LayerOutputs denseLayers;
    LayerOutputs convertedLayers;
    dense->setForwardObserver(&denseLayers);
    converted->setForwardObserver(&convertedLayers);
    const ModelOutputs before = runPadded(*dense, inputs);
    reportProgress(progress, 0.7f);
    const ModelOutputs after = runPadded(*converted, inputs);
    reportProgress(progress, 0.95f);

    DriftReport report;
    report.tokens = length;
    const std::int64_t multiple = paddingMultiple(*converted);
    report.paddedTokens = (length + multiple - 1) / multiple * multiple;
    // The converted run is padded to the block: compare the real tokens only.
    for (std::size_t layer = 0; layer < denseLayers.states.size() && layer < convertedLayers.states.size(); ++layer)
        report.rows.push_back(drift(QStringLiteral("layer %1").arg(layer),
            denseLayers.states[layer].slice(1, 0, length), convertedLayers.states[layer].slice(1, 0, length)));
    report.rows.push_back(drift(QStringLiteral("last_hidden_state"), before.lastHiddenState, after.lastHiddenState));
    if (before.poolerOutput && after.poolerOutput)
        report.rows.push_back(drift(QStringLiteral("pooler_output"), *before.poolerOutput, *after.poolerOutput));
    if (before.logits && after.logits)
        report.rows.push_back(drift(QStringLiteral("logits"), *before.logits, *after.logits));
    return report;
}

ExportSummary exportConversion(const LoadedModel& model, const ConversionSettings& settings,
    const QString& outDirectory, bool replace, const ProgressCallback& progress)
{
    const ConversionPlan plan = toPlan(model, settings);
    spw::previewConversion(model.model->config(), plan); // a bad plan fails before the reload
    std::unique_ptr<EncoderModel> copy = loadForRun(
        model.directory.toStdString(), {}, [&](float fraction) { return !progress || progress(0.3f * fraction); });
    const ConversionRecord record = applyConversionPlan(*copy, plan);
    reportProgress(progress, 0.35f);
    const ExportResult result = exportModel(*copy, record, model.directory.toStdString(), outDirectory.toStdString(),
        replace, [&](float fraction) { return !progress || progress(0.35f + 0.65f * fraction); });
    ExportSummary summary;
    summary.directory = QString::fromStdString(result.directory);
    for (const std::string& file : result.files)
        summary.files.append(QString::fromStdString(file));
    return summary;
}

} // namespace spw::ui
