#include "quality/conversion_quality.h"

#include "common/error.h"
#include "convert/model_conversion.h"
#include "profile/profile_model.h"

#include <numeric>

namespace spw {

const char* const kConvertedConfiguration = "converted";

namespace {

std::int64_t convertedLength(const EncoderModel& model, const ConversionPlan& plan)
{
    return previewConversion(model.config(), plan).maxLengthAfter;
}

// The evaluation of the original at the converted length: "as-is", "extended-dense" when longer, and the conversion
// as a layout when it is one.
EvaluationSettings originalSettings(
    const EncoderModel& model, const ConversionPlan& plan, const EvaluationSettings& settings, bool withLayout)
{
    EvaluationSettings evaluation = settings;
    evaluation.seqLen = convertedLength(model, plan);
    evaluation.layouts.clear();
    if (withLayout && plan.sparsity) {
        ProfileLayout layout { kConvertedConfiguration, *plan.sparsity };
        layout.config.seed = plan.effectiveSeed(); // the masking keeps settings.seed
        evaluation.layouts.push_back(layout);
    }
    return evaluation;
}

// A copy of `model` sharing its weights, with its sparse layers, converted by `plan`.
std::unique_ptr<EncoderModel> convertedCopy(const EncoderModel& model, const ConversionPlan& plan)
{
    std::unique_ptr<EncoderModel> copy = denseCopy(model, placementOf(model));
    copySparseLayers(model, *copy);
    applyConversionPlan(*copy, plan);
    return copy;
}

} // namespace

bool conversionIsLayout(const EncoderModel& model, const ConversionPlan& plan)
{
    if (!sparseLayers(model).empty())
        return false;
    if (!plan.sparsity)
        return true;
    std::vector<int> every(std::size_t(model.layerCount()));
    std::iota(every.begin(), every.end(), 0);
    return chosenLayers(model.layerCount(), plan.layers) == every;
}

void checkConversionQuality(const EncoderModel& model, const Tokenizer& tokenizer, const ConversionPlan& plan,
    const EvaluationSettings& settings)
{
    requireMaskedLmHead(model);
    checkEvaluation(model, tokenizer, originalSettings(model, plan, settings, conversionIsLayout(model, plan)));
}

ConversionQuality evaluateConversion(const EncoderModel& model, const Tokenizer& tokenizer, const TokenizedText& text,
    const ConversionPlan& plan, const EvaluationSettings& settings, const ProgressCallback& progress)
{
    checkConversionQuality(model, tokenizer, plan, settings);
    const std::int64_t length = convertedLength(model, plan);
    const bool longer = length > model.config().usableMaxLength();
    ConversionQuality quality;
    quality.throughLayout = conversionIsLayout(model, plan);
    if (quality.throughLayout) {
        // as-is, then extended-dense when longer, then the layout.
        const std::vector<EvaluationResult> results
            = evaluateMaskedLm(model, tokenizer, text, originalSettings(model, plan, settings, true), {}, progress);
        quality.original = results.front();
        quality.converted = results.back();
        if (plan.sparsity && longer)
            quality.extendedDense = results[1];
    } else {
        // The original's runs (as-is, extended-dense when longer) weigh against the converted one by their count.
        const float split = longer ? 2.0f / 3.0f : 0.5f;
        const std::vector<EvaluationResult> results
            = evaluateMaskedLm(model, tokenizer, text, originalSettings(model, plan, settings, false), {},
                [&](float fraction) { return !progress || progress(split * fraction); });
        quality.original = results.front();
        if (longer)
            quality.extendedDense = results[1];
        const std::unique_ptr<EncoderModel> converted = convertedCopy(model, plan);
        EvaluationSettings asIs = settings;
        asIs.seqLen.reset(); // the converted model's own length
        asIs.layouts.clear();
        quality.converted = evaluateMaskedLm(*converted, tokenizer, text, asIs, {}, [&](float fraction) {
            return !progress || progress(split + (1.0f - split) * fraction);
        }).front();
    }
    quality.converted.configuration = kConvertedConfiguration;
    return quality;
}

} // namespace spw
