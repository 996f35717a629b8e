#include "convert/conversion_plan.h"

#include "common/error.h"
#include "convert/position_extension.h"

#include <algorithm>

namespace spw {

std::uint64_t ConversionPlan::effectiveSeed() const
{
    if (seed)
        return *seed;
    return sparsity && sparsity->seed ? *sparsity->seed : 0;
}

nlohmann::json ConversionPreview::toJson() const
{
    nlohmann::json json = {
        { "max_length", { { "before", maxLengthBefore }, { "after", maxLengthAfter } } },
        { "max_position_embeddings", { { "before", positionRowsBefore }, { "after", positionRowsAfter } } },
        { "num_layers", layerCount },
        { "sparse_layers", layersTouched },
        { "attention_cost_relative_to_dense", attentionCostRelativeToDense },
    };
    if (layoutStats) {
        json["layout"] = { { "seq_len", layoutLength }, { "density", layoutStats->density },
            { "nonzero_blocks", layoutStats->nonzeroBlocks },
            { "flops_relative_to_dense", layoutStats->flopsRelativeToDense } };
    }
    return json;
}

ConversionPreview previewConversion(const ModelConfig& model, const ConversionPlan& plan)
{
    if (!plan.maxLength && !plan.sparsity)
        fail("nothing to convert: give a new maximum length and/or a sparsity configuration");
    if (plan.layers && !plan.sparsity)
        fail("a list of layers needs a sparsity configuration");

    ConversionPreview preview;
    preview.layerCount = int(model.numHiddenLayers);
    preview.maxLengthBefore = model.usableMaxLength();
    preview.positionRowsBefore = model.maxPositionEmbeddings;
    ModelConfig after = model;
    if (plan.maxLength) {
        checkLongerMaxLength(model, *plan.maxLength);
        after.maxPositionEmbeddings = model.maxPositionEmbeddingsFor(*plan.maxLength);
    }
    preview.maxLengthAfter = after.usableMaxLength();
    preview.positionRowsAfter = after.maxPositionEmbeddings;
    if (!plan.sparsity)
        return preview;

    preview.layersTouched = chosenLayers(preview.layerCount, plan.layers);
    auto setting = makeSparseAttentionSetting(*plan.sparsity, plan.effectiveSeed(), after);
    preview.layoutLength = setting->layout.seqLen();
    preview.layoutStats = computeStats(setting->layout);
    const double touched = double(preview.layersTouched.size());
    preview.attentionCostRelativeToDense
        = (touched * preview.layoutStats->flopsRelativeToDense + (preview.layerCount - touched))
        / std::max(1, preview.layerCount);
    return preview;
}

ConversionRecord applyConversionPlan(EncoderModel& model, const ConversionPlan& plan)
{
    previewConversion(model.config(), plan);
    ConversionRecord record;
    if (plan.maxLength) {
        extendPositionEmbedding(model, *plan.maxLength);
        updateTokenizerModelMaxLength(record, *plan.maxLength);
    }
    if (plan.sparsity)
        replaceSelfAttention(model, *plan.sparsity, plan.effectiveSeed(), plan.layers);
    return record;
}

} // namespace spw
