#pragma once
// One conversion as the CLI's `convert` and the GUI's Convert page describe it: a new maximum length and/or
// block-sparse attention in some layers. previewConversion says what applying it would do without touching the
// model; applyConversionPlan does it (extend first, then replace attention, as DeepSpeed's order requires).
#include "convert/model_conversion.h"
#include "io/model_config.h"
#include "sparsity/layout.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace spw {

struct ConversionPlan {
    std::optional<std::int64_t> maxLength; // extend the position table to this many positions
    std::optional<SparsityConfig> sparsity; // replace self-attention with this configuration
    std::optional<std::uint64_t> seed; // the layout's seed; unset: the configuration's "seed", else 0
    std::optional<std::vector<int>> layers; // the layers to make sparse; unset: every layer

    std::uint64_t effectiveSeed() const;
};

struct ConversionPreview {
    std::int64_t maxLengthBefore = 0; // longest input, before and after
    std::int64_t maxLengthAfter = 0;
    std::int64_t positionRowsBefore = 0; // position table rows (max_position_embeddings)
    std::int64_t positionRowsAfter = 0;
    int layerCount = 0;
    std::vector<int> layersTouched; // layers that get sparse attention (empty without a sparsity configuration)
    std::int64_t layoutLength = 0; // tokens the layout is built at (0 without a sparsity configuration)
    std::optional<LayoutStats> layoutStats;
    // Self-attention cost of the whole model at the new maximum length relative to dense attention in every
    // layer: touched layers count the layout's flopsRelativeToDense, the others 1.
    double attentionCostRelativeToDense = 1.0;

    nlohmann::json toJson() const;
};

// Checks the plan against the model (lengths, layer indices, num_heads, the layout at the new length) and
// describes its effect. Throws spw::Error naming the problem; changes nothing.
ConversionPreview previewConversion(const ModelConfig& model, const ConversionPlan& plan);

// Applies the plan after previewing it (so a bad plan leaves the model untouched) and returns what export needs.
ConversionRecord applyConversionPlan(EncoderModel& model, const ConversionPlan& plan);

} // namespace spw
