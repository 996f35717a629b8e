#include "convert/sparse_attention_record.h"

#include "common/error.h"
#include "convert/model_conversion.h"

#include <filesystem>

namespace spw {

std::optional<nlohmann::json> sparseAttentionJson(const EncoderModel& model)
{
    std::shared_ptr<const SparseAttentionSetting> first;
    nlohmann::json layers = nlohmann::json::array();
    for (int layer = 0; layer < model.layerCount(); ++layer) {
        const auto& setting = model.selfAttention(layer).sparseAttention();
        if (!setting)
            continue;
        if (!first)
            first = setting;
        else if (setting != first && !(setting->config == first->config && setting->seed == first->seed))
            fail("layers {} and {} use different sparse attention settings; config.json records only one",
                layers.front().get<int>(), layer);
        layers.push_back(layer);
    }
    if (!first)
        return std::nullopt;
    nlohmann::json object = sparsityConfigToJson(first->config);
    object["num_heads"] = model.config().numAttentionHeads;
    object["seed"] = first->seed;
    object["layers"] = layers;
    return object;
}

void applyRecordedSparseAttention(EncoderModel& model, const std::string& source)
{
    const nlohmann::json& original = model.config().original;
    if (!original.is_object() || !original.contains("sparse_attention"))
        return;
    const nlohmann::json& recorded = original.at("sparse_attention");
    if (recorded.is_null())
        return;
    if (!recorded.is_object())
        fail("{}: sparse_attention must be a JSON object", source);
    nlohmann::json configJson = recorded;
    std::optional<std::vector<int>> layers;
    if (configJson.contains("layers")) {
        const nlohmann::json& list = configJson.at("layers");
        if (!list.is_array())
            fail("{}: sparse_attention.layers must be an array of layer indices", source);
        layers.emplace();
        for (const auto& entry : list) {
            if (!entry.is_number_integer())
                fail("{}: sparse_attention.layers must hold integers, got {}", source, entry.dump());
            layers->push_back(entry.get<int>());
        }
        configJson.erase("layers");
    }
    std::uint64_t seed = 0;
    SparsityConfig config;
    try {
        config = sparsityConfigFromJson(configJson);
        seed = config.seed.value_or(0);
        replaceSelfAttention(model, config, seed, layers);
    } catch (const Error& error) {
        fail("{}: sparse_attention: {}", source, error.what());
    }
}

std::unique_ptr<EncoderModel> loadForRun(
    const std::string& directory, const LoadOptions& options, const ProgressCallback& progress)
{
    std::unique_ptr<EncoderModel> model = EncoderModel::load(directory, options, progress);
    applyRecordedSparseAttention(*model, (std::filesystem::path(directory) / "config.json").string());
    return model;
}

} // namespace spw
