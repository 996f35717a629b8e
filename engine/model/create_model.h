#pragma once
// A new randomly initialised model folder, as transformers would save a fresh BertForMaskedLM or
// RobertaForMaskedLM: config.json (transformers 5.17's keys and defaults), model.safetensors (float32,
// normal(0, 0.02) weights, zero biases, LayerNorm 1/0, decoder tied to the word embeddings), and the demo
// tokenizer files (engine/tokenizer/demo_tokenizer.h).
#include "io/model_config.h"
#include "model/model_family.h"

#include <cstdint>
#include <string>

namespace spw {

struct CreateModelOptions {
    ModelFamily family = ModelFamily::Bert;
    std::int64_t layers = 12;
    std::int64_t hidden = 768;
    std::int64_t heads = 12;
    std::int64_t intermediate = 3072;
    // Tokens the model accepts. BERT's position table has this many rows; RoBERTa's has 2 more (its positions
    // start after the padding index 1: reservedPositionRows), so max_position_embeddings is 514 for 512 as in
    // roberta-base.
    std::int64_t maxPosition = 512;
    std::int64_t vocab = 0; // 0: the family's usual size (30522 BERT, 50265 RoBERTa)
    std::uint64_t seed = 0;
};

// The config.json of such a model. Throws spw::Error naming the flag (--heads, ...) for impossible shapes.
ModelConfig makeNewModelConfig(const CreateModelOptions& options);

// Writes the folder at `directory`, which must not exist or be empty, through a temporary sibling folder renamed
// into place: a failure leaves nothing behind.
void createModelFolder(const std::string& directory, const CreateModelOptions& options);

} // namespace spw
