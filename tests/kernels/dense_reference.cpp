#include "dense_reference.h"

#include <limits>

namespace spw::test {
namespace {

// An additive mask in the compute dtype, its values clamped to that dtype's finite range: float32's minimum would
// become -inf in half precision (and NaN rows), where a user would write the half type's own minimum.
at::Tensor toComputeType(const at::Tensor& mask, at::ScalarType type)
{
    const double lowest = type == at::kHalf       ? -65504.0
                          : type == at::kBFloat16 ? -3.3895313892515355e38
                                                  : -std::numeric_limits<double>::max();
    return mask.to(at::kDouble).clamp_min(lowest).to(type);
}

} // namespace

at::Tensor denseReference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Layout& layout,
                          const AttentionMasks& masks, double scale, at::ScalarType computeType)
{
    const std::int64_t seqLen = layout.seqLen();
    const auto device = q.device();
    // [H, nb, nb] → [1, H, L, L] boolean token mask.
    at::Tensor blocks = at::from_blob(const_cast<std::uint8_t*>(layout.mask.data()),
                                      {layout.numHeads, layout.numBlocks, layout.numBlocks}, at::kByte)
                            .to(device)
                            .to(at::kBool);
    at::Tensor keep = blocks.repeat_interleave(layout.block, 1).repeat_interleave(layout.block, 2).unsqueeze(0);

    at::Tensor scores = at::matmul(q.to(computeType), k.to(computeType).transpose(-1, -2)).mul(scale);
    const double minusInf = -std::numeric_limits<double>::infinity();
    if (masks.keyPadding) {
        const at::Tensor padding = masks.keyPadding->to(device).view({-1, 1, 1, seqLen});
        if (masks.keyPaddingMode == MaskMode::Add)
            scores = scores + toComputeType(padding, computeType);
        else
            keep = keep.logical_and(padding.ne(0));
    }
    if (masks.attention) {
        const at::Tensor attention = masks.attention->to(device).view({1, 1, seqLen, seqLen});
        if (masks.attentionMode == MaskMode::Add)
            scores = scores + toComputeType(attention, computeType);
        else
            keep = keep.logical_and(attention.ne(0));
    }
    scores = scores.masked_fill(keep.logical_not(), minusInf);
    at::Tensor probs = at::softmax(scores, -1);
    // Rows with no key left: softmax gives NaN; the semantics say zeros.
    const at::Tensor anyKept = keep.any(-1, true).expand_as(probs);
    probs = probs.masked_fill(anyKept.logical_not(), 0.0);
    return at::matmul(probs, v.to(computeType));
}

double relativeError(const at::Tensor& out, const at::Tensor& ref)
{
    const at::Tensor o = out.to(at::kDouble);
    const at::Tensor r = ref.to(at::kDouble);
    return (o - r).norm().item<double>() / r.norm().item<double>();
}

} // namespace spw::test
