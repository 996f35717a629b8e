#pragma once
// Model-level conversion (DeepSpeed's SparseAttentionUtils, design.md §4): longer position tables, the tokenizer's
// new model_max_length, and block-sparse self-attention in chosen layers.
//
// Order matters as in DeepSpeed: extend first, then replace attention, because a sparse layer's layout is built
// once at the model's maximum length. extendPositionEmbedding rebuilds the layouts of layers that are already
// sparse (same configuration and seed) so that a converted model can be extended again.
#include "model/encoder_model.h"
#include "sparsity/sparsity_config.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace spw {

// What a conversion changed that lives outside the model's tensors and config.json, for export.
struct ConversionRecord {
    // update_tokenizer_model_max_length: tokenizer_config.json's model_max_length on export (unset: unchanged).
    std::optional<std::int64_t> tokenizerModelMaxLength;
};

// Throws spw::Error naming N, the current maximum and max_position_embeddings unless N exceeds the model's current
// maximum length: extension only lengthens.
void checkLongerMaxLength(const ModelConfig& config, std::int64_t newMaxLength);

// extend_position_embedding(N): BERT's table gets N rows, RoBERTa's N + pad_token_id + 1 (N + 2 for roberta-base;
// engine/convert/position_extension.h), copy-initialised; max_position_embeddings follows. Throws spw::Error naming
// max_position_embeddings and N when N does not exceed the current maximum.
void extendPositionEmbedding(EncoderModel& model, std::int64_t newMaxLength);

// update_tokenizer_model_max_length(N): recorded for export.
void updateTokenizerModelMaxLength(ConversionRecord& record, std::int64_t newMaxLength);

// The layers a conversion touches: all of them when `layers` is unset, else the given indices sorted, without
// repeats. An empty list or an index out of range is an spw::Error naming the numbers.
std::vector<int> chosenLayers(int layerCount, const std::optional<std::vector<int>>& layers);

// Gives the chosen layers (all when `layers` is unset) block-sparse self-attention with `config` and `seed`;
// query/key/value keep their weights. Checks everything before changing anything: a layer index out of range or a
// num_heads that differs from the model's is an spw::Error naming both numbers. Returns the layers, sorted.
std::vector<int> replaceSelfAttention(EncoderModel& model, const SparsityConfig& config, std::uint64_t seed,
    const std::optional<std::vector<int>>& layers = std::nullopt);

// The layers that currently run sparse attention, in order.
std::vector<int> sparseLayers(const EncoderModel& model);

// Gives each layer of `to` the sparse attention (or dense) of the same layer of `from`, which has as many layers;
// the settings are immutable and shared.
void copySparseLayers(const EncoderModel& from, EncoderModel& to);

} // namespace spw
