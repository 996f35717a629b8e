#include "attention_op.h"

#include "op_arguments.h"
#include "torch_errors.h"

#include <ATen/DeviceGuard.h>
#include <torch/csrc/autograd/custom_function.h>

#include <string>

namespace spw::ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Gradients flow to query, key and value; the layout, the masks and the other arguments get none. The backward
// recomputes the engine's arguments from the saved ones (a layout converts in well under a millisecond).
class BlockSparseAttentionFunction : public torch::autograd::Function<BlockSparseAttentionFunction> {
public:
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& query, const at::Tensor& key,
        const at::Tensor& value, const at::Tensor& layout, std::int64_t block,
        const c10::optional<at::Tensor>& keyPaddingMask, const std::string& keyPaddingMode,
        const c10::optional<at::Tensor>& attnMask, const std::string& attnMaskMode, c10::optional<double> scale)
    {
        const c10::OptionalDeviceGuard guard(at::device_of(query));
        const EngineArguments arguments
            = engineArguments(query, layout, block, keyPaddingMask, keyPaddingMode, attnMask, attnMaskMode, scale);
        const AttentionWithStats result = translatingEngineErrors([&] {
            return blockSparseAttentionWithStats(
                query, key, value, *arguments.layout, arguments.masks, arguments.scale);
        });
        ctx->save_for_backward({ query, key, value, layout, result.output, result.logSumExp,
            keyPaddingMask.value_or(at::Tensor()), attnMask.value_or(at::Tensor()) });
        ctx->saved_data["block"] = block;
        ctx->saved_data["key_padding_mode"] = keyPaddingMode;
        ctx->saved_data["attn_mask_mode"] = attnMaskMode;
        ctx->saved_data["scale"] = scale;
        return result.output;
    }

    static variable_list backward(AutogradContext* ctx, variable_list gradOutputs)
    {
        const variable_list saved = ctx->get_saved_variables();
        const at::Tensor &query = saved[0], &key = saved[1], &value = saved[2], &layout = saved[3], &output = saved[4],
                         &logSumExp = saved[5];
        const auto optionalMask
            = [](const at::Tensor& mask) { return mask.defined() ? c10::optional<at::Tensor>(mask) : c10::nullopt; };
        const std::string keyPaddingMode = ctx->saved_data["key_padding_mode"].toStringRef();
        const std::string attnMaskMode = ctx->saved_data["attn_mask_mode"].toStringRef();
        const c10::IValue scaleValue = ctx->saved_data["scale"];
        const c10::optional<double> scale
            = scaleValue.isNone() ? c10::nullopt : c10::optional<double>(scaleValue.toDouble());

        const c10::OptionalDeviceGuard guard(at::device_of(query));
        const EngineArguments arguments = engineArguments(query, layout, ctx->saved_data["block"].toInt(),
            optionalMask(saved[6]), keyPaddingMode, optionalMask(saved[7]), attnMaskMode, scale);
        // An output that took no part in the loss has no gradient: its inputs get none either.
        const at::Tensor gradOutput = gradOutputs[0].defined() ? gradOutputs[0] : at::zeros_like(output);
        const AttentionGradients gradients = translatingEngineErrors([&] {
            return blockSparseAttentionBackward(
                gradOutput, query, key, value, output, logSumExp, *arguments.layout, arguments.masks, arguments.scale);
        });
        return { gradients.query, gradients.key, gradients.value, at::Tensor(), at::Tensor(), at::Tensor(),
            at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor() };
    }
};

} // namespace

at::Tensor blockSparseAttentionKernel(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const at::Tensor& layout, std::int64_t block, const c10::optional<at::Tensor>& keyPaddingMask,
    c10::string_view keyPaddingMode, const c10::optional<at::Tensor>& attnMask, c10::string_view attnMaskMode,
    c10::optional<double> scale)
{
    const c10::OptionalDeviceGuard guard(at::device_of(query));
    const EngineArguments arguments
        = engineArguments(query, layout, block, keyPaddingMask, keyPaddingMode, attnMask, attnMaskMode, scale);
    return translatingEngineErrors(
        [&] { return blockSparseAttention(query, key, value, *arguments.layout, arguments.masks, arguments.scale); });
}

at::Tensor blockSparseAttentionAutograd(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const at::Tensor& layout, std::int64_t block, const c10::optional<at::Tensor>& keyPaddingMask,
    c10::string_view keyPaddingMode, const c10::optional<at::Tensor>& attnMask, c10::string_view attnMaskMode,
    c10::optional<double> scale)
{
    return BlockSparseAttentionFunction::apply(query, key, value, layout, block, keyPaddingMask,
        std::string(keyPaddingMode.data(), keyPaddingMode.size()), attnMask,
        std::string(attnMaskMode.data(), attnMaskMode.size()), scale);
}

} // namespace spw::ops
