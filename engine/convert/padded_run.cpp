#include "convert/padded_run.h"

#include "common/error.h"
#include "convert/model_conversion.h"
#include "convert/padding.h"

#include <numeric>

namespace spw {

std::int64_t paddingMultiple(const EncoderModel& model)
{
    std::int64_t multiple = 1;
    for (int layer = 0; layer < model.layerCount(); ++layer)
        if (const auto& setting = model.selfAttention(layer).sparseAttention())
            multiple = std::lcm(multiple, std::int64_t(setting->layout.block));
    return multiple;
}

ModelOutputs runPadded(const EncoderModel& model, const ModelInputs& inputs)
{
    const std::int64_t multiple = paddingMultiple(model);
    if (multiple == 1)
        return model.forward(inputs);
    const at::Tensor& ids = inputs.inputIds;
    if (!ids.defined() || ids.dim() != 2 || ids.size(0) < 1 || ids.size(1) < 1)
        fail("input_ids: expected a non-empty [batch, length] tensor");
    if (ids.scalar_type() != at::kLong)
        fail("input_ids: dtype must be I64 (int64), got {}", c10::toString(ids.scalar_type()));
    const ModelConfig& config = model.config();
    const std::int64_t length = ids.size(1);
    if (!inputs.positionIds && length > config.usableMaxLength())
        fail("input_ids: length {} exceeds the model's {} positions (max_position_embeddings {})", length,
            config.usableMaxLength(), config.maxPositionEmbeddings);

    PaddingInputs unpadded;
    unpadded.inputIds = ids;
    unpadded.attentionMask = inputs.attentionMask ? *inputs.attentionMask : at::ones_like(ids);
    unpadded.tokenTypeIds = inputs.tokenTypeIds;
    if (inputs.positionIds) {
        unpadded.positionIds = *inputs.positionIds;
    } else if (model.family() == ModelFamily::Roberta) {
        at::Tensor notPad = ids.ne(config.padTokenId).to(at::kLong);
        unpadded.positionIds = at::cumsum(notPad, 1) * notPad + config.padTokenId;
    } else {
        unpadded.positionIds = at::arange(length, ids.options()).unsqueeze(0).expand({ ids.size(0), length });
    }
    PaddedInputs padded = padToBlockSize(multiple, config.padTokenId, unpadded);

    ModelInputs run;
    run.inputIds = *padded.inputs.inputIds;
    run.attentionMask = padded.inputs.attentionMask;
    run.tokenTypeIds = padded.inputs.tokenTypeIds;
    run.positionIds = padded.inputs.positionIds;
    ModelOutputs outputs = model.forward(run);
    outputs.lastHiddenState = unpadSequenceOutput(padded.padLength, outputs.lastHiddenState);
    if (outputs.logits && model.head() == ModelHead::MaskedLM)
        outputs.logits = unpadSequenceOutput(padded.padLength, *outputs.logits);
    return outputs;
}

} // namespace spw
