#pragma once
// Masked-LM evaluation of a model and of what conversion would make of it (the `evaluate` command, and the GUI
// later): the same masked tokens of a text scored by
//   1. the model as it is (a converted folder with its sparse layers), in windows of min(N, its maximum length);
//   2. when N exceeds that maximum, the model with its position table extended to N (copy initialisation, as
//      conversion does) and dense attention in every layer: "extended-dense";
//   3. on request, the same with the new position rows drawn at random instead of copied: "extended-random-dense",
//      the baseline that shows what copy initialisation is worth (Longformer's comparison);
//   4. each sparse layout, in every layer, at N (extended first when N exceeds the maximum).
// Each reports the tokens scored, loss, perplexity, top-1 accuracy and the seconds its forward passes and scoring
// took. The model given is left as it is: the configurations run on a bare encoder that shares its weights.
//
// For the GUI: run it on a worker thread; `onResult` receives each configuration's result as soon as it is
// finished; `progress` receives the fraction done before every batch, and returning false cancels (spw::Cancelled).
#include "common/progress.h"
#include "model/encoder_model.h"
#include "profile/profile_types.h"
#include "quality/evaluation_text.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace spw {

class Tokenizer;

struct EvaluationSettings {
    std::optional<std::int64_t> seqLen; // N; unset: the model's maximum length
    std::vector<ProfileLayout> layouts; // named sparsity configurations
    double maskProbability = 0.15;
    std::uint64_t seed = 0; // the masking, and the layouts' random blocks unless a configuration sets its own
    std::int64_t batch = 4; // windows per forward pass
    bool randomPositions = false; // also "extended-random-dense" (needs N above the model's maximum)
    // Beyond the model's maximum, leave out "as-is" (at that maximum, not N): the profile compares configurations at
    // N only. Without extension "as-is" is the dense run at N and is always scored.
    bool asIsOnlyAtN = false;
};

struct EvaluationResult {
    std::string configuration; // "as-is", "extended-dense", or the layout's name
    std::int64_t seqLen = 0; // window length in tokens
    std::int64_t tokens = 0; // tokens scored
    double loss = 0;
    double perplexity = 0;
    double accuracy = 0;
    double seconds = 0;
};

using EvaluationResultCallback = std::function<void(const EvaluationResult& result)>;

// Names of the two configurations that are not layouts.
extern const char* const kAsIsConfiguration;
extern const char* const kExtendedDenseConfiguration;
extern const char* const kExtendedRandomDenseConfiguration;

// spw::Error naming the model's folder unless it has a masked-LM head (BertForMaskedLM, RobertaForMaskedLM).
void requireMaskedLmHead(const EncoderModel& model);

// Everything evaluateMaskedLm checks before reading a text: spw::Error when the model has no masked-LM head, the
// tokenizer has no mask token or special ids beyond the model's vocabulary, N is not positive, leaves no room for
// text between the special tokens or is below a layout's block, a layout does not fit the model (num_heads, the
// layout at N), the batch or mask probability is out of range, or random positions are asked for without extension.
void checkEvaluation(const EncoderModel& model, const Tokenizer& tokenizer, const EvaluationSettings& settings);

// checkEvaluation, then spw::Error when the text has ids beyond the model's vocabulary or no token of it is chosen
// for scoring.
std::vector<EvaluationResult> evaluateMaskedLm(const EncoderModel& model, const Tokenizer& tokenizer,
    const TokenizedText& text, const EvaluationSettings& settings, const EvaluationResultCallback& onResult = {},
    const ProgressCallback& progress = {});

} // namespace spw
