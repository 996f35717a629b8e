#include "io/model_config.h"

#include "common/durable_files.h"
#include "common/error.h"
#include "common/file_reading.h"
#include "common/folder_containment.h"
#include "common/parse_integer.h"

#include <algorithm>
#include <filesystem>

namespace spw {
namespace {

class ConfigReader {
public:
    ConfigReader(const nlohmann::json& json, const std::string& source)
        : m_json(json)
        , m_source(source)
    {
    }

    const nlohmann::json* find(const char* key) const
    {
        auto it = m_json.find(key);
        return it == m_json.end() || it->is_null() ? nullptr : &*it;
    }

    std::int64_t positiveInteger(const char* key, std::optional<std::int64_t> fallback = {}) const
    {
        std::int64_t value = integer(key, fallback);
        if (value <= 0)
            fail("{}: \"{}\" must be positive (got {})", m_source, key, value);
        return value;
    }

    std::int64_t integer(const char* key, std::optional<std::int64_t> fallback = {}) const
    {
        const nlohmann::json* value = find(key);
        if (!value) {
            if (!fallback)
                fail("{}: missing key \"{}\"", m_source, key);
            return *fallback;
        }
        if (!value->is_number_integer())
            fail("{}: \"{}\" must be an integer", m_source, key);
        return value->get<std::int64_t>();
    }

    std::string string(const char* key, std::optional<std::string> fallback = {}) const
    {
        const nlohmann::json* value = find(key);
        if (!value) {
            if (!fallback)
                fail("{}: missing key \"{}\"", m_source, key);
            return *fallback;
        }
        if (!value->is_string())
            fail("{}: \"{}\" must be a string", m_source, key);
        return value->get<std::string>();
    }

    double number(const char* key, double fallback) const
    {
        const nlohmann::json* value = find(key);
        if (!value)
            return fallback;
        if (!value->is_number())
            fail("{}: \"{}\" must be a number", m_source, key);
        return value->get<double>();
    }

    bool boolean(const char* key, bool fallback) const
    {
        const nlohmann::json* value = find(key);
        if (!value)
            return fallback;
        if (!value->is_boolean())
            fail("{}: \"{}\" must be true or false", m_source, key);
        return value->get<bool>();
    }

    const std::string& source() const { return m_source; }

private:
    const nlohmann::json& m_json;
    std::string m_source;
};

const std::vector<std::string> kActivations = { "gelu", "gelu_new", "gelu_pytorch_tanh", "relu" };

} // namespace

ModelConfig modelConfigFromJson(const nlohmann::json& json, const std::string& source)
{
    if (!json.is_object())
        fail("{}: not a JSON object", source);
    ConfigReader reader(json, source);
    ModelConfig config;
    config.original = json;
    config.modelType = reader.string("model_type");
    if (config.modelType != "bert" && config.modelType != "roberta")
        fail("{}: \"model_type\" '{}' is not supported (bert or roberta)", source, config.modelType);
    if (const nlohmann::json* architectures = reader.find("architectures")) {
        if (!architectures->is_array())
            fail("{}: \"architectures\" must be a list of strings", source);
        for (const auto& name : *architectures) {
            if (!name.is_string())
                fail("{}: \"architectures\" must be a list of strings", source);
            config.architectures.push_back(name.get<std::string>());
        }
    }
    config.vocabSize = reader.positiveInteger("vocab_size");
    config.hiddenSize = reader.positiveInteger("hidden_size");
    config.numHiddenLayers = reader.positiveInteger("num_hidden_layers");
    config.numAttentionHeads = reader.positiveInteger("num_attention_heads");
    config.intermediateSize = reader.positiveInteger("intermediate_size");
    config.maxPositionEmbeddings = reader.positiveInteger("max_position_embeddings");
    if (config.hiddenSize % config.numAttentionHeads != 0)
        fail("{}: \"hidden_size\" {} is not a multiple of \"num_attention_heads\" {}", source, config.hiddenSize,
            config.numAttentionHeads);
    config.hiddenAct = reader.string("hidden_act", "gelu");
    if (std::find(kActivations.begin(), kActivations.end(), config.hiddenAct) == kActivations.end())
        fail("{}: \"hidden_act\" '{}' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)", source,
            config.hiddenAct);
    config.typeVocabSize = reader.positiveInteger("type_vocab_size", 2);
    config.layerNormEps = reader.number("layer_norm_eps", 1e-12);
    if (!(config.layerNormEps > 0))
        fail("{}: \"layer_norm_eps\" must be positive", source);
    config.padTokenId = reader.integer("pad_token_id", config.family() == ModelFamily::Roberta ? 1 : 0);
    if (config.padTokenId < 0 || config.padTokenId >= config.vocabSize)
        fail("{}: \"pad_token_id\" {} is outside the vocabulary (vocab_size {})", source, config.padTokenId,
            config.vocabSize);
    config.positionEmbeddingType = reader.string("position_embedding_type", "absolute");
    if (config.positionEmbeddingType != "absolute")
        fail("{}: \"position_embedding_type\" '{}' is not supported (only absolute)", source,
            config.positionEmbeddingType);
    if (config.usableMaxLength() <= 0)
        fail("{}: \"max_position_embeddings\" {} leaves no positions after the padding index {}", source,
            config.maxPositionEmbeddings, config.padTokenId);
    config.tieWordEmbeddings = reader.boolean("tie_word_embeddings", true);
    if (const nlohmann::json* labels = reader.find("id2label")) {
        if (!labels->is_object())
            fail("{}: \"id2label\" must be an object of index -> name", source);
        for (auto it = labels->begin(); it != labels->end(); ++it) {
            auto index = parseInteger(it.key());
            if (!index || *index < 0 || !it->is_string())
                fail("{}: \"id2label\" entry '{}' must map an index to a name", source, it.key());
            config.id2label[*index] = it->get<std::string>();
        }
    }
    config.numLabels
        = reader.positiveInteger("num_labels", config.id2label.empty() ? 2 : std::int64_t(config.id2label.size()));
    config.dtype = reader.find("dtype") ? reader.string("dtype") : reader.string("torch_dtype", "");
    return config;
}

std::int64_t reservedPositionRows(ModelFamily family, std::int64_t padTokenId)
{
    return family == ModelFamily::Roberta ? padTokenId + 1 : 0;
}

std::int64_t ModelConfig::usableMaxLength() const
{
    return maxPositionEmbeddings - reservedPositionRows(family(), padTokenId);
}

std::int64_t ModelConfig::maxPositionEmbeddingsFor(std::int64_t length) const
{
    return length + reservedPositionRows(family(), padTokenId);
}

nlohmann::json ModelConfig::toJson() const
{
    nlohmann::json json = original.is_object() ? original : nlohmann::json::object();
    json["model_type"] = modelType;
    if (!architectures.empty())
        json["architectures"] = architectures;
    json["vocab_size"] = vocabSize;
    json["hidden_size"] = hiddenSize;
    json["num_hidden_layers"] = numHiddenLayers;
    json["num_attention_heads"] = numAttentionHeads;
    json["intermediate_size"] = intermediateSize;
    json["hidden_act"] = hiddenAct;
    json["max_position_embeddings"] = maxPositionEmbeddings;
    json["type_vocab_size"] = typeVocabSize;
    json["layer_norm_eps"] = layerNormEps;
    json["pad_token_id"] = padTokenId;
    if (json.contains("position_embedding_type"))
        json["position_embedding_type"] = positionEmbeddingType;
    json["tie_word_embeddings"] = tieWordEmbeddings;
    if (!id2label.empty()) {
        nlohmann::json labels = nlohmann::json::object();
        for (const auto& [index, name] : id2label)
            labels[std::to_string(index)] = name;
        json["id2label"] = labels;
    }
    if (!dtype.empty()) {
        json["dtype"] = dtype;
        if (json.contains("torch_dtype"))
            json["torch_dtype"] = dtype;
    }
    return json;
}

double estimatedParameterCount(const ModelConfig& config)
{
    // In double: the fields come from files and flags, and their products may not fit 64 bits.
    const double h = double(config.hiddenSize);
    const double i = double(config.intermediateSize);
    const double vocab = double(config.vocabSize);
    const double embeddings = (vocab + double(config.maxPositionEmbeddings) + double(config.typeVocabSize) + 2) * h;
    // Q, K, V and output projections with biases, two LayerNorms, the feed-forward pair with biases.
    const double layer = 4 * (h * h + h) + 4 * h + 2 * h * i + i + h;
    const double pooler = h * h + h;
    const double head = h * h + 3 * h + vocab; // transform, LayerNorm, decoder bias (weights tied)
    return embeddings + double(config.numHiddenLayers) * layer + pooler + head;
}

ModelConfig loadModelConfig(const std::string& directory)
{
    std::string path = (std::filesystem::path(directory) / "config.json").string();
    if (!std::filesystem::exists(path))
        fail("{}: cannot open (is this a HuggingFace model folder?)", path);
    requireInsideFolder(directory, path);
    return modelConfigFromJson(readJsonFile(path), path);
}

void saveModelConfig(const ModelConfig& config, const std::string& path)
{
    writeFileAtomically(path, config.toJson().dump(2) + '\n');
}

} // namespace spw
