#pragma once
// config.json of a HuggingFace BERT or RoBERTa checkpoint: the keys the engine uses, with the whole original JSON
// kept so that an export writes back every key it does not understand.
//
// Required: model_type ("bert" | "roberta"), vocab_size, hidden_size, num_hidden_layers, num_attention_heads,
// intermediate_size, max_position_embeddings. Optional, with transformers' BertConfig/RobertaConfig defaults when
// absent: architectures, hidden_act ("gelu"), type_vocab_size (2), layer_norm_eps (1e-12), pad_token_id (0 for
// BERT, 1 for RoBERTa), position_embedding_type ("absolute"; other values are an error), tie_word_embeddings (true),
// num_labels / id2label (classification), torch_dtype or dtype (transformers 5 writes "dtype").
// A missing required key, or any key of the wrong type, throws spw::Error naming config.json and the key.
#include "model/model_family.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spw {

struct ModelConfig {
    std::string modelType; // "bert" or "roberta"
    std::vector<std::string> architectures;
    std::int64_t vocabSize = 0;
    std::int64_t hiddenSize = 0;
    std::int64_t numHiddenLayers = 0;
    std::int64_t numAttentionHeads = 0;
    std::int64_t intermediateSize = 0;
    std::string hiddenAct = "gelu";
    std::int64_t maxPositionEmbeddings = 0;
    std::int64_t typeVocabSize = 2;
    double layerNormEps = 1e-12;
    std::int64_t padTokenId = 0;
    std::string positionEmbeddingType = "absolute";
    bool tieWordEmbeddings = true;
    std::int64_t numLabels = 2;
    std::map<std::int64_t, std::string> id2label;
    std::string dtype; // "float32", "float16", "bfloat16", or empty when the file does not say
    nlohmann::json original = nlohmann::json::object(); // the whole file, unknown keys included

    ModelFamily family() const { return modelType == "roberta" ? ModelFamily::Roberta : ModelFamily::Bert; }
    std::int64_t headDim() const { return hiddenSize / numAttentionHeads; }

    // The one place for how many tokens a position table holds (see reservedPositionRows below): the longest input
    // the model accepts, max_position_embeddings - reserved rows (512 for bert-base's 512 rows and for
    // roberta-base's 514), and the max_position_embeddings that accepts `length` tokens.
    std::int64_t usableMaxLength() const;
    std::int64_t maxPositionEmbeddingsFor(std::int64_t length) const;

    // `original` with the understood keys overwritten from the fields (for export and `create`).
    nlohmann::json toJson() const;
};

// The parameters a model of this configuration holds: embeddings, encoder layers, pooler and a masked-LM head (an
// upper bound for the bare and classification models). For refusing a shape that cannot fit before building it.
double estimatedParameterCount(const ModelConfig& config);
// Rows at the start of the position table that no token's position uses. BERT numbers positions from 0: none.
// RoBERTa numbers real tokens from pad_token_id + 1 (transformers' create_position_ids_from_input_ids: padding keeps
// pad_token_id), so rows 0..pad_token_id are reserved: pad_token_id + 1 rows, 2 for roberta-base.
std::int64_t reservedPositionRows(ModelFamily family, std::int64_t padTokenId);

// Parses a config.json object; `source` names the file in messages.
ModelConfig modelConfigFromJson(const nlohmann::json& json, const std::string& source = "config.json");
// Reads DIR/config.json.
ModelConfig loadModelConfig(const std::string& directory);
// Writes toJson() to `path` atomically (engine/common/durable_files.h), indented as transformers writes it.
void saveModelConfig(const ModelConfig& config, const std::string& path);

} // namespace spw
