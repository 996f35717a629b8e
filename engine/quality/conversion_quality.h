#pragma once
// Masked-LM quality of a conversion (the Convert page's quality comparison): the original model as it is, at its
// own maximum length, and what the conversion makes of it, at the converted maximum length, on the same masked
// tokens of one text (evaluation.h: the masking depends on the text and the seed only, not on the window length).
//
// When the conversion gives every layer the same layout (or only extends positions) and the model has no sparse
// layer yet, this is one evaluateMaskedLm with the conversion as a layout at the converted length: the layout applied
// to the original, extended first when the length grows, is what conversion makes (extend, then replace attention
// with the plan's seed), and the extended-dense reference comes with it. Otherwise (some layers only, or a model
// already sparse, whose extension keeps its sparse layers) a converted copy sharing the original's weights is
// evaluated as it is. Either way nothing is reloaded from disk and the model given is left as it is.
#include "convert/conversion_plan.h"
#include "quality/evaluation.h"

#include <optional>

namespace spw {

struct ConversionQuality {
    EvaluationResult original; // "as-is": the model as it is, at its own maximum length
    // Dense attention in every layer at the converted length, when the conversion lengthens the model (unless that
    // is the conversion itself: positions only, on a dense model).
    std::optional<EvaluationResult> extendedDense;
    EvaluationResult converted; // "converted": the conversion at its maximum length
    bool throughLayout = false; // measured as one evaluation with the conversion as a layout (see above)
};

// The name of the converted configuration in ConversionQuality::converted.
extern const char* const kConvertedConfiguration;

// Whether the conversion is one layout (or none) in every layer of a model without sparse layers, so that
// evaluating the original with it as a layout measures the converted model.
bool conversionIsLayout(const EncoderModel& model, const ConversionPlan& plan);

// Everything evaluateConversion checks before reading a text: the plan (previewConversion) and the evaluation at
// the converted length (checkEvaluation: the masked-LM head, the tokenizer's mask token, ...). `settings` gives the
// mask probability, the masking seed and the batch; its length and layouts are not used.
void checkConversionQuality(const EncoderModel& model, const Tokenizer& tokenizer, const ConversionPlan& plan,
    const EvaluationSettings& settings);

ConversionQuality evaluateConversion(const EncoderModel& model, const Tokenizer& tokenizer, const TokenizedText& text,
    const ConversionPlan& plan, const EvaluationSettings& settings, const ProgressCallback& progress = {});

} // namespace spw
