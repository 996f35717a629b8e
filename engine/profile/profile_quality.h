#pragma once
// A profile sweep that also scores masked-LM quality (`profile --quality-text`, the Profile page's "Quality on
// text"): at each swept length L, dense attention and each layout of the sweep score the same masked tokens of one
// text through evaluateMaskedLm (engine/quality/evaluation.h), and every point at L carries the numbers in
// point.dense.quality and point.sparse.quality. One evaluation per length covers every layout; batch sizes share it.
//
// What is scored, all on a dense copy of the model with its masked-LM head (its own sparse layers, if converted,
// are not used, as the sweep times dense against each layout in every layer):
//   dense at L:    the model as it is ("as-is") when L fits it; beyond, extended to L ("extended-dense",
//                  copy-initialised as --extend and conversion extend).
//   a layout at L: every layer given that layout, the model extended to L first when L exceeds it: what converting
//                  the model to maximum length L makes. (The sweep's timing runs the top-left corner of a layout made
//                  at its longest length: the same blocks, except random ones.)
// The masking and the layouts' random blocks use the sweep's seed.
//
// The evaluation at L runs when L's first point arrives, so points still stream one by one, each complete; the
// progress counts the evaluations' expected work with the sweep's (sweep_cost.h).
#include "profile/profiler.h"
#include "quality/evaluation_text.h"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace spw {

class Tokenizer;

struct SweepQuality {
    const EncoderModel* model = nullptr; // with its masked-LM head
    const Tokenizer* tokenizer = nullptr; // the model's
    TokenizedText text; // from tokenizeEvaluationText or appendTokenizedText
    double maskProbability = 0.15;
    std::int64_t batch = 4; // windows per forward pass
};

// What can be checked before the text is read and the sweep starts (quality.text is not looked at): spw::Error when
// the model has no masked-LM head (naming its folder), the tokenizer no mask token, a swept length is below a
// layout's block or leaves no room for text between the special tokens (naming --seq-lens), or a layout does not
// fit the model.
void checkSweepQuality(const SweepQuality& quality, const ProfileSettings& settings);

// runProfileSweep (profiler.h) on `model`, the bare encoder timed, with quality.model scored at each length as
// above, on `model`'s device and dtype. `inputsTokenizer` is runProfileSweep's (settings.text's inputs), unrelated
// to the scored text. Besides checkSweepQuality's refusals, spw::Error before the sweep starts when a dense
// evaluation would not fit in memory on the CPU.
std::vector<ProfilePoint> runProfileSweepWithQuality(EncoderModel& model, const ProfileSettings& settings,
    const SweepQuality& quality, const Tokenizer* inputsTokenizer = nullptr, const ProfilePointCallback& onPoint = {},
    const ProgressCallback& progress = {});

// The quality part of a report's "settings": {"tokens", "mask_probability", "batch", "seed"} plus what the caller
// adds (where the text came from).
nlohmann::json sweepQualityToJson(const SweepQuality& quality, const ProfileSettings& settings);

} // namespace spw
