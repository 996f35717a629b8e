#pragma once
// What a profile sweep measures and what it reports (engine/profile/profiler.h runs it).
//
// A sweep runs, for every sequence length × batch size, the model once with dense attention and once per sparse
// layout, on the same inputs. Each run: `warmup` untimed forwards, then `repeats` timed ones. Reported per run:
// the median and the spread (min, max) of the forward's time, the peak memory the forward adds, and per layer the
// median time of its self-attention call and of the rest of the layer. Per layout: the output drift of the sparse
// model from the dense one (last_hidden_state, real tokens only). With a quality text (profile_quality.h), each
// layout and dense attention are also scored as a masked LM at each length (once, whatever the batch size).
#include "sparsity/sparsity_config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spw {

struct ProfileLayout {
    std::string name; // how results name it (e.g. the configuration file's stem)
    SparsityConfig config;
};

struct ProfileSettings {
    std::vector<std::int64_t> seqLens;
    std::vector<std::int64_t> batches;
    std::vector<ProfileLayout> layouts;
    int warmup = 1;
    int repeats = 5;
    // Synthetic inputs: random token ids (never the padding id); the last round(paddingFraction · L) tokens of
    // every row are padding (attention_mask 0). At least one real token remains.
    double paddingFraction = 0.0;
    // When set, rows are this text through the model's tokenizer, its tokens repeated (or cut) to fill the length
    // between the tokenizer's special tokens; paddingFraction still applies.
    std::optional<std::string> text;
    std::uint64_t seed = 0; // synthetic ids and the layouts' random blocks
    // Lengths beyond the model's maximum: extend the position table (as conversion does) instead of failing.
    bool extend = false;
};

struct TimingStats {
    double medianMs = 0;
    double minMs = 0;
    double maxMs = 0;
};

struct LayerTiming {
    int layer = 0;
    double attentionMs = 0; // the layer's self-attention call (Q/K/V projections and attention)
    double otherMs = 0; // the rest of the layer (output projection, LayerNorms, feed-forward)
};

// Masked-LM quality of one attention (dense, or a layout) at one length (engine/quality/evaluation.h).
struct MlmQuality {
    std::int64_t tokens = 0; // tokens scored
    double loss = 0;
    double perplexity = 0;
    double accuracy = 0; // top-1
};

// The text tokens a quality measurement scores unless told otherwise (`profile --quality-max-tokens`, the Profile
// and Convert pages' token budget): seconds per evaluation for a small model on a CPU.
constexpr std::int64_t kDefaultQualityTokens = 16384;

struct RunMeasurement {
    TimingStats time;
    // Peak memory the timed forwards added over what was in use before them (weights and inputs excluded), MiB.
    double peakMiB = 0;
    std::vector<LayerTiming> layers;
    std::optional<MlmQuality> quality; // only when the sweep scored a text
};

struct ProfilePoint {
    std::int64_t seqLen = 0; // as asked; a sparse run pads to its block
    std::int64_t batch = 0;
    std::string layout; // ProfileLayout::name
    std::int64_t paddedLength = 0; // the length the sparse run used
    double density = 0; // nonzero blocks / all blocks of the layout at paddedLength, over all heads
    RunMeasurement dense;
    RunMeasurement sparse;
    double speedup = 0; // dense median / sparse median
    double maxAbsDiff = 0; // |dense - sparse| over real tokens' last_hidden_state
    double cosine = 0; // cosine similarity of the same, flattened
};

} // namespace spw
