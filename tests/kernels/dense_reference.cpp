#include "dense_reference.h"

#include <limits>

namespace spw::test {
namespace {

// An additive mask in the compute dtype, its values clamped to that dtype's finite range: float32's minimum would
// become -inf in half precision (and NaN rows), where a user would write the half type's own minimum.
at::Tensor toComputeType(const at::Tensor& mask, at::ScalarType type)
{
    const double lowest = type == at::kHalf ? -65504.0
        : type == at::kBFloat16             ? -3.3895313892515355e38
                                            : -std::numeric_limits<double>::max();
    return mask.to(at::kDouble).clamp_min(lowest).to(type);
}

} // namespace

at::Tensor tokenKeepMask(const Layout& layout, const at::Device& device)
{
    // [H, nb, nb] → [1, H, L, L] boolean token mask.
    const at::Tensor blocks = at::from_blob(const_cast<std::uint8_t*>(layout.mask.data()),
        { layout.numHeads, layout.numBlocks, layout.numBlocks }, at::kByte)
                                  .to(device)
                                  .to(at::kBool);
    return blocks.repeat_interleave(layout.block, 1).repeat_interleave(layout.block, 2).unsqueeze(0);
}

MaskTerms maskTerms(
    const Layout& layout, const AttentionMasks& masks, at::ScalarType computeType, const at::Device& device)
{
    const std::int64_t seqLen = layout.seqLen();
    MaskTerms terms;
    terms.keep = tokenKeepMask(layout, device);
    if (masks.keyPadding) {
        const at::Tensor padding = masks.keyPadding->to(device).view({ -1, 1, 1, seqLen });
        if (masks.keyPaddingMode == MaskMode::Add)
            terms.additive.push_back(toComputeType(padding, computeType));
        else
            terms.keep = terms.keep.logical_and(padding.ne(0));
    }
    if (masks.attention) {
        const at::Tensor attention = masks.attention->to(device).view({ 1, 1, seqLen, seqLen });
        if (masks.attentionMode == MaskMode::Add)
            terms.additive.push_back(toComputeType(attention, computeType));
        else
            terms.keep = terms.keep.logical_and(attention.ne(0));
    }
    terms.anyKept = terms.keep.any(-1, true);
    return terms;
}

at::Tensor denseReference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Layout& layout,
    const AttentionMasks& masks, double scale, at::ScalarType computeType)
{
    const MaskTerms terms = maskTerms(layout, masks, computeType, q.device());
    at::Tensor scores = at::matmul(q.to(computeType), k.to(computeType).transpose(-1, -2)).mul(scale);
    for (const at::Tensor& additive : terms.additive)
        scores = scores + additive;
    scores = scores.masked_fill(terms.keep.logical_not(), -std::numeric_limits<double>::infinity());
    // Rows with no key left: the semantics say zeros, where softmax would give NaN. Their scores are replaced
    // (not filled after the softmax) so that autograd through this reference stays finite too.
    scores = at::where(terms.anyKept, scores, at::zeros_like(scores));
    const at::Tensor probs = at::where(terms.anyKept, at::softmax(scores, -1), at::zeros_like(scores));
    return at::matmul(probs, v.to(computeType));
}

double relativeError(const at::Tensor& out, const at::Tensor& ref)
{
    const at::Tensor o = out.to(at::kDouble);
    const at::Tensor r = ref.to(at::kDouble);
    return (o - r).norm().item<double>() / r.norm().item<double>();
}

} // namespace spw::test
