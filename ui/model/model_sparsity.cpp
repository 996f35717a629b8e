#include "model/model_sparsity.h"

#include "convert/conversion_wording.h"
#include "model/encoder_model.h"
#include "model/sparse_attention_setting.h"

#include <QCoreApplication>

namespace spw::ui {

QString ModelSparsity::description() const
{
    return QCoreApplication::translate("ModelSparsity", "%1, block %2, seed %3, in layers %4 of %5")
        .arg(QString::fromUtf8(modeName(config.mode)))
        .arg(config.block)
        .arg(config.seed.value_or(0))
        .arg(QString::fromStdString(layerRangesText(layers)))
        .arg(layerCount);
}

std::optional<ModelSparsity> modelSparsity(const LoadedModel& model)
{
    if (!model.isValid())
        return std::nullopt;
    const EncoderModel& encoder = *model.model;
    std::optional<ModelSparsity> result;
    for (int layer = 0; layer < encoder.layerCount(); ++layer) {
        const std::shared_ptr<const SparseAttentionSetting>& setting = encoder.selfAttention(layer).sparseAttention();
        if (!setting)
            continue;
        if (!result) {
            result.emplace();
            result->config = setting->config;
            result->config.numHeads = int(encoder.config().numAttentionHeads);
            result->config.seed = setting->seed;
            result->layerCount = encoder.layerCount();
            result->layoutLength = setting->layout.seqLen();
        }
        result->layers.push_back(layer);
    }
    return result;
}

} // namespace spw::ui
