#pragma once
// The block-sparse attention an open model runs (a converted model's config.json records it as
// "sparse_attention"), for the pages that show it or open it in the designer.
#include "model/loaded_model.h"
#include "sparsity/sparsity_config.h"

#include <QString>

#include <optional>
#include <vector>

namespace spw::ui {

struct ModelSparsity {
    SparsityConfig config; // num_heads and seed set, as the model runs it
    std::vector<int> layers; // the sparse layers, in order
    int layerCount = 0;
    std::int64_t layoutLength = 0; // the tokens the model's layout is built at

    // "fixed, block 16, seed 0, in layers 0–2 of 4"
    QString description() const;
};

// Unset when every layer is dense. Layers with different settings are described by the first sparse one's (an
// exported model records only one).
std::optional<ModelSparsity> modelSparsity(const LoadedModel& model);

} // namespace spw::ui
