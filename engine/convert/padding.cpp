#include "convert/padding.h"

#include "common/error.h"

#include <sstream>
#include <string>

namespace spw {
namespace {

std::string shapeString(const at::Tensor& tensor)
{
    std::ostringstream out;
    out << tensor.sizes();
    return out.str();
}

// Checks a [batch, seq_len] tensor; `batchMayBeOne` for tensors that HuggingFace broadcasts over the batch.
void checkTokenTensor(const std::optional<at::Tensor>& tensor, const char* name, std::int64_t batch,
    std::int64_t seqLen, bool batchMayBeOne)
{
    if (!tensor)
        return;
    if (!tensor->defined())
        fail("padding: {} is undefined", name);
    const bool batchOk = tensor->dim() == 2 && (tensor->size(0) == batch || (batchMayBeOne && tensor->size(0) == 1));
    if (!batchOk || tensor->size(1) != seqLen)
        fail("padding: {} must be [{}, {}], got {}", name,
            batchMayBeOne ? fmt::format("{} or 1", batch) : std::to_string(batch), seqLen, shapeString(*tensor));
}

at::Tensor padRight(const at::Tensor& tensor, std::int64_t padLength, std::int64_t value)
{
    return at::cat({ tensor, at::full({ tensor.size(0), padLength }, value, tensor.options()) }, 1);
}

at::Tensor padEmbeddings(
    const at::Tensor& embeds, std::int64_t padLength, std::int64_t padTokenId, const PadTokenEmbedding& source)
{
    const std::int64_t batch = embeds.size(0);
    const std::int64_t hidden = embeds.size(2);
    at::Tensor pad;
    if (source.embed) {
        const at::Tensor ids = at::full({ batch, padLength }, padTokenId, embeds.options().dtype(at::kLong));
        pad = source.embed(ids);
        if (!pad.defined() || pad.dim() != 3 || pad.size(0) != batch || pad.size(1) != padLength
            || pad.size(2) != hidden)
            fail("padding: the pad token embedding callable must return [{}, {}, {}], got {}", batch, padLength, hidden,
                pad.defined() ? shapeString(pad) : std::string("an undefined tensor"));
    } else if (source.vector) {
        if (!source.vector->defined() || source.vector->dim() != 1 || source.vector->size(0) != hidden)
            fail("padding: the pad token embedding must be [{}] (the hidden size of inputs_embeds), got {}", hidden,
                source.vector->defined() ? shapeString(*source.vector) : std::string("an undefined tensor"));
        pad = source.vector->view({ 1, 1, hidden }).expand({ batch, padLength, hidden });
    } else {
        fail("padding: inputs_embeds needs {} pad tokens but no pad token embedding was given", padLength);
    }
    return at::cat({ embeds, pad.to(embeds.options()) }, 1);
}

} // namespace

PaddedInputs padToBlockSize(
    std::int64_t block, std::int64_t padTokenId, const PaddingInputs& inputs, const PadTokenEmbedding& padEmbedding)
{
    if (block <= 0)
        fail("padding: block must be positive, got {}", block);
    std::int64_t batch = 0;
    std::int64_t seqLen = 0;
    if (inputs.inputIds) {
        if (!inputs.inputIds->defined() || inputs.inputIds->dim() != 2)
            fail("padding: input_ids must be [batch, seq_len], got {}",
                inputs.inputIds->defined() ? shapeString(*inputs.inputIds) : std::string("an undefined tensor"));
        batch = inputs.inputIds->size(0);
        seqLen = inputs.inputIds->size(1);
    }
    if (inputs.inputsEmbeds) {
        const at::Tensor& embeds = *inputs.inputsEmbeds;
        if (!embeds.defined() || embeds.dim() != 3)
            fail("padding: inputs_embeds must be [batch, seq_len, hidden], got {}",
                embeds.defined() ? shapeString(embeds) : std::string("an undefined tensor"));
        if (inputs.inputIds && (embeds.size(0) != batch || embeds.size(1) != seqLen))
            fail("padding: inputs_embeds {} does not match input_ids [{}, {}]", shapeString(embeds), batch, seqLen);
        batch = embeds.size(0);
        seqLen = embeds.size(1);
    }
    if (!inputs.inputIds && !inputs.inputsEmbeds)
        fail("padding: either input_ids or inputs_embeds is required");
    checkTokenTensor(inputs.attentionMask, "attention_mask", batch, seqLen, false);
    checkTokenTensor(inputs.tokenTypeIds, "token_type_ids", batch, seqLen, true);
    checkTokenTensor(inputs.positionIds, "position_ids", batch, seqLen, true);

    PaddedInputs padded;
    padded.inputs = inputs;
    padded.padLength = (block - seqLen % block) % block;
    if (padded.padLength == 0)
        return padded;

    PaddingInputs& out = padded.inputs;
    const std::int64_t pad = padded.padLength;
    if (out.inputsEmbeds)
        out.inputsEmbeds = padEmbeddings(*out.inputsEmbeds, pad, padTokenId, padEmbedding);
    if (out.inputIds)
        out.inputIds = padRight(*out.inputIds, pad, padTokenId);
    if (out.attentionMask)
        out.attentionMask = padRight(*out.attentionMask, pad, 0);
    if (out.tokenTypeIds)
        out.tokenTypeIds = padRight(*out.tokenTypeIds, pad, 0);
    if (out.positionIds)
        out.positionIds = padRight(*out.positionIds, pad, padTokenId);
    return padded;
}

at::Tensor unpadSequenceOutput(std::int64_t padLength, const at::Tensor& output)
{
    if (padLength < 0)
        fail("unpad: pad length must not be negative, got {}", padLength);
    if (padLength == 0)
        return output;
    if (!output.defined() || output.dim() < 2)
        fail("unpad: the sequence output must be [batch, seq_len, ...], got {}",
            output.defined() ? shapeString(output) : std::string("an undefined tensor"));
    if (output.size(1) < padLength)
        fail("unpad: the sequence output {} is shorter than the pad length {}", shapeString(output), padLength);
    return output.narrow(1, 0, output.size(1) - padLength);
}

} // namespace spw
