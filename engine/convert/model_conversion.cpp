#include "convert/model_conversion.h"

#include "common/error.h"
#include "convert/position_extension.h"

#include <algorithm>

namespace spw {

void checkLongerMaxLength(const ModelConfig& config, std::int64_t newMaxLength)
{
    if (newMaxLength <= config.usableMaxLength())
        fail("new maximum length {} must exceed the model's current maximum {} (max_position_embeddings {})",
            newMaxLength, config.usableMaxLength(), config.maxPositionEmbeddings);
}

void extendPositionEmbedding(EncoderModel& model, std::int64_t newMaxLength)
{
    const ModelConfig& config = model.config();
    checkLongerMaxLength(config, newMaxLength);
    // The table is extended in the checkpoint's dtype so that copied rows stay bit-identical on export.
    at::Tensor table = model.positionEmbeddings().to(at::kCPU, model.sourceDtype());
    model.setPositionEmbeddings(
        extendPositionTable(table, reservedPositionRows(config.family(), config.padTokenId), newMaxLength));

    // Sparse layers hold layouts built at the old maximum: rebuild them (same configuration and seed) at the new one.
    std::shared_ptr<const SparseAttentionSetting> previous;
    std::shared_ptr<const SparseAttentionSetting> rebuilt;
    for (int layer = 0; layer < model.layerCount(); ++layer) {
        const auto& setting = model.selfAttention(layer).sparseAttention();
        if (!setting)
            continue;
        if (setting != previous) {
            previous = setting;
            rebuilt = makeSparseAttentionSetting(setting->config, setting->seed, model.config());
        }
        model.selfAttention(layer).setSparseAttention(rebuilt);
    }
}

void updateTokenizerModelMaxLength(ConversionRecord& record, std::int64_t newMaxLength)
{
    if (newMaxLength <= 0)
        fail("tokenizer model_max_length must be positive, got {}", newMaxLength);
    record.tokenizerModelMaxLength = newMaxLength;
}

std::vector<int> chosenLayers(int layerCount, const std::optional<std::vector<int>>& layers)
{
    std::vector<int> chosen;
    if (!layers) {
        for (int layer = 0; layer < layerCount; ++layer)
            chosen.push_back(layer);
        return chosen;
    }
    if (layers->empty())
        fail("the list of layers to make sparse is empty");
    for (int layer : *layers) {
        if (layer < 0 || layer >= layerCount)
            fail("layer {} is out of range: the model has {} layers (0 to {})", layer, layerCount, layerCount - 1);
        chosen.push_back(layer);
    }
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
    return chosen;
}

std::vector<int> replaceSelfAttention(EncoderModel& model, const SparsityConfig& config, std::uint64_t seed,
    const std::optional<std::vector<int>>& layers)
{
    const std::vector<int> chosen = chosenLayers(model.layerCount(), layers);
    std::shared_ptr<const SparseAttentionSetting> setting = makeSparseAttentionSetting(config, seed, model.config());
    for (int layer : chosen)
        model.selfAttention(layer).setSparseAttention(setting);
    return chosen;
}

std::vector<int> sparseLayers(const EncoderModel& model)
{
    std::vector<int> layers;
    for (int layer = 0; layer < model.layerCount(); ++layer)
        if (model.selfAttention(layer).sparseAttention())
            layers.push_back(layer);
    return layers;
}

void copySparseLayers(const EncoderModel& from, EncoderModel& to)
{
    for (int layer = 0; layer < from.layerCount(); ++layer)
        to.selfAttention(layer).setSparseAttention(from.selfAttention(layer).sparseAttention());
}

} // namespace spw
