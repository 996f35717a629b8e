#include "convert/conversion_jobs.h"

#include "common/error.h"
#include "convert/conversion_plan.h"
#include "convert/conversion_wording.h"
#include "convert/padded_run.h"
#include "convert/sparse_attention_record.h"
#include "export/export_model.h"
#include "model/forward_observer.h"
#include "model/sparse_attention_setting.h"
#include "quality/conversion_quality.h"
#include "tokenizer/tokenizer.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>

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
                .arg(QString::fromStdString(layerRangesText(preview.layersTouched)))
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
                    .arg(QString::fromStdString(percentText(preview.layoutStats->density))) });
        }
    }
    result.rows.push_back({ tr("Attention cost at %1 tokens").arg(count(preview.maxLengthAfter)),
        QString::fromStdString(attentionCostText(preview)) });
    return result;
}

DriftReport compareOnText(const LoadedModel& model, const ConversionSettings& settings, const QString& text,
    DriftFill fill, const ProgressCallback& progress)
{
    if (!model.tokenizer)
        fail("{} has no tokenizer files: comparing needs them to tokenize the sample text",
            model.directory.toStdString());
    if (text.trimmed().isEmpty())
        fail("the sample text is empty: type some on the Model page to compare on");
    DriftReport report;
    report.fill = fill;
    report.positionsOnly = !settings.sparsity;
    // With sparse attention: at the converted length, against the same conversion without it. Positions only: the
    // loaded model takes no more than its own maximum, and the copied rows leave those positions as they were.
    const ModelConfig& config = model.model->config();
    ConversionSettings referenceSettings = settings;
    referenceSettings.sparsity.reset();
    referenceSettings.layers.clear();
    const bool extendReference = settings.sparsity && settings.maxLength;
    const std::int64_t length = report.positionsOnly
        ? config.usableMaxLength()
        : spw::previewConversion(config, toPlan(model, settings)).maxLengthAfter;

    const Tokenizer& tokenizer = *model.tokenizer;
    const std::string utf8 = text.toStdString();
    report.textTokens = std::int64_t(tokenizer.encode(utf8).size());
    EncodeOptions options;
    options.maxLength = length;
    Encoding encoding;
    if (fill == DriftFill::Repeat) {
        // Copies until the length is reached (joining may merge tokens at the seams, hence the loop), then cut.
        const auto perCopy
            = std::max<std::int64_t>(1, report.textTokens - std::int64_t(tokenizer.specialTokenCount(false)));
        report.repeats = int(std::max<std::int64_t>(1, (length + perCopy - 1) / perCopy));
        for (;;) {
            std::string repeated = utf8;
            for (int i = 1; i < report.repeats; ++i)
                repeated += "\n" + utf8;
            encoding = tokenizer.encode(repeated, std::nullopt, options);
            if (std::int64_t(encoding.size()) >= length || report.repeats > length)
                break;
            ++report.repeats;
        }
    } else {
        options.padding = Padding::MaxLength;
        encoding = tokenizer.encode(utf8, std::nullopt, options);
    }
    report.tokens = std::int64_t(encoding.size());
    report.realTokens = std::count(encoding.attentionMask.begin(), encoding.attentionMask.end(), std::int64_t(1));
    reportProgress(progress, 0.05f);

    auto stage = [&](float from, float to) {
        return [&progress, from, to](float fraction) { return !progress || progress(from + (to - from) * fraction); };
    };
    std::unique_ptr<EncoderModel> reference = extendReference
        ? convertedCopy(model, referenceSettings, stage(0.05f, 0.3f))
        : loadForRun(model.directory.toStdString(), {}, stage(0.05f, 0.3f));
    std::unique_ptr<EncoderModel> converted = convertedCopy(model, settings, stage(0.3f, 0.55f));

    const auto runLength = report.tokens;
    ModelInputs inputs;
    inputs.inputIds = at::tensor(encoding.ids, at::kLong).view({ 1, runLength });
    inputs.tokenTypeIds = at::tensor(encoding.typeIds, at::kLong).view({ 1, runLength });
    inputs.attentionMask = at::tensor(encoding.attentionMask, at::kLong).view({ 1, runLength });
    LayerOutputs referenceLayers;
    LayerOutputs convertedLayers;
    reference->setForwardObserver(&referenceLayers);
    converted->setForwardObserver(&convertedLayers);
    const ModelOutputs before = runPadded(*reference, inputs);
    reportProgress(progress, 0.8f);
    const ModelOutputs after = runPadded(*converted, inputs);
    reportProgress(progress, 0.95f);

    const std::int64_t multiple = paddingMultiple(*converted);
    report.paddedTokens = (runLength + multiple - 1) / multiple * multiple;
    for (int layer = 0; layer < converted->layerCount(); ++layer) {
        if (const auto& setting = converted->selfAttention(layer).sparseAttention()) {
            const auto blocks = int((report.paddedTokens + setting->config.block - 1) / setting->config.block);
            report.layoutDensity = computeStats(*setting->cornerFor(blocks)).density;
            break;
        }
    }
    // Padding (the fill's, then the block's, on the right) is not compared: the real tokens come first.
    const std::int64_t real = report.realTokens;
    for (std::size_t layer = 0; layer < referenceLayers.states.size() && layer < convertedLayers.states.size(); ++layer)
        report.rows.push_back(drift(QStringLiteral("layer %1").arg(layer),
            referenceLayers.states[layer].slice(1, 0, real), convertedLayers.states[layer].slice(1, 0, real)));
    report.rows.push_back(drift(QStringLiteral("last_hidden_state"), before.lastHiddenState.slice(1, 0, real),
        after.lastHiddenState.slice(1, 0, real)));
    if (before.poolerOutput && after.poolerOutput)
        report.rows.push_back(drift(QStringLiteral("pooler_output"), *before.poolerOutput, *after.poolerOutput));
    if (before.logits && after.logits) {
        const bool perToken = before.logits->dim() == 3; // masked LM; a classifier's are per sequence
        report.rows.push_back(
            drift(QStringLiteral("logits"), perToken ? before.logits->slice(1, 0, real) : *before.logits,
                perToken ? after.logits->slice(1, 0, real) : *after.logits));
    }
    return report;
}

QualityReport measureQuality(const LoadedModel& model, const ConversionSettings& settings,
    const QualityTextChoice& text, const ProgressCallback& progress)
{
    if (const QString reason = qualityUnavailableReason(model); !reason.isEmpty())
        fail("{}", reason.toStdString());
    const ConversionPlan plan = toPlan(model, settings);
    const EvaluationSettings evaluation; // BERT's 15 % masking, seed 0, 4 windows per pass
    checkConversionQuality(*model.model, *model.tokenizer, plan, evaluation); // before reading a long text
    const TokenizedText tokens = tokenizeQualityText(
        text, *model.tokenizer, [&](float fraction) { return !progress || progress(0.05f * fraction); });
    const ConversionQuality quality = evaluateConversion(*model.model, *model.tokenizer, tokens, plan, evaluation,
        [&](float fraction) { return !progress || progress(0.05f + 0.95f * fraction); });

    QualityReport report;
    report.text = text.description();
    report.textTokens = tokens.tokenCount;
    report.wholeText = tokens.tokenCount < text.maxTokens;
    report.throughLayout = quality.throughLayout;
    auto row = [](const QString& name, const QString& description, const EvaluationResult& result) {
        return QualityRow { name, description, result.seqLen, result.tokens, result.loss, result.perplexity,
            result.accuracy };
    };
    report.rows.push_back(
        row(tr("original"), tr("The loaded model as it is, at its own maximum length"), quality.original));
    if (quality.extendedDense)
        report.rows.push_back(row(tr("extended, dense"),
            tr("The positions extended as the conversion does, dense attention in every layer: what the extension "
               "alone changes"),
            *quality.extendedDense));
    report.rows.push_back(row(tr("converted"), tr("The conversion, at its maximum length"), quality.converted));
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
