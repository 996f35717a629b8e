#include "attention/attention_checks.h"

#include "common/error.h"

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace spw {
namespace {

std::string sizesString(at::IntArrayRef sizes)
{
    std::ostringstream out;
    out << sizes;
    return out.str();
}

std::string shapeString(const at::Tensor& tensor)
{
    return sizesString(tensor.sizes());
}

// `tensor` must match the query in shape, dtype and device; `shapeNote` explains a shape mismatch.
void checkLikeQuery(const at::Tensor& tensor, const char* name, const at::Tensor& query, const char* shapeNote)
{
    if (!tensor.defined())
        fail("attention: {} is undefined", name);
    if (tensor.dim() != 4)
        fail("attention: {} must be [batch, heads, seq_len, head_dim], got shape {}", name, shapeString(tensor));
    if (tensor.sizes() != query.sizes())
        fail("attention: {} has shape {} but query has {}{}", name, shapeString(tensor), shapeString(query), shapeNote);
    if (tensor.scalar_type() != query.scalar_type())
        fail("attention: {} has dtype {} but query has {}", name, c10::toString(tensor.scalar_type()),
            c10::toString(query.scalar_type()));
    if (tensor.device() != query.device())
        fail("attention: {} is on {} but query is on {}", name, tensor.device().str(), query.device().str());
}

void checkLayout(const Layout& layout)
{
    if (layout.block <= 0 || layout.numBlocks <= 0 || layout.numHeads <= 0)
        fail("attention: layout must have positive block ({}), num_blocks ({}) and num_heads ({})", layout.block,
            layout.numBlocks, layout.numHeads);
    const std::size_t expected = std::size_t(layout.numHeads) * layout.numBlocks * layout.numBlocks;
    if (layout.mask.size() != expected)
        fail("attention: layout mask has {} entries, expected num_heads × num_blocks² = {}", layout.mask.size(),
            expected);
}

void checkMask(const at::Tensor& mask, const char* name, at::IntArrayRef expected, const at::Tensor& query)
{
    if (!mask.defined())
        fail("attention: {} is undefined", name);
    if (mask.sizes() != expected)
        fail("attention: {} must have shape {}, got {}", name, sizesString(expected), shapeString(mask));
    if (mask.device() != query.device())
        fail("attention: {} is on {} but query is on {}", name, mask.device().str(), query.device().str());
    if (mask.is_complex())
        fail("attention: {} has unsupported dtype {}", name, c10::toString(mask.scalar_type()));
}

} // namespace

double checkAttentionArguments(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks, std::optional<double> scale)
{
    if (!query.defined())
        fail("attention: query is undefined");
    if (query.dim() != 4)
        fail("attention: query must be [batch, heads, seq_len, head_dim], got shape {}", shapeString(query));
    const char* selfAttentionOnly = " (only self-attention is supported)";
    checkLikeQuery(key, "key", query, selfAttentionOnly);
    checkLikeQuery(value, "value", query, selfAttentionOnly);
    const auto type = query.scalar_type();
    if (type != at::kFloat && type != at::kDouble && type != at::kHalf && type != at::kBFloat16)
        fail("attention: query has dtype {}; expected float32, float64, float16 or bfloat16", c10::toString(type));
    checkLayout(layout);

    const std::int64_t batch = query.size(0);
    const std::int64_t heads = query.size(1);
    const std::int64_t seqLen = query.size(2);
    const std::int64_t headDim = query.size(3);
    if (seqLen != layout.seqLen())
        fail("attention: query seq_len {} does not match the layout's seq_len {} ({} blocks of {})", seqLen,
            layout.seqLen(), layout.numBlocks, layout.block);
    if (heads != layout.numHeads)
        fail("attention: query has {} heads but the layout has num_heads {}", heads, layout.numHeads);
    if (headDim <= 0)
        fail("attention: query head_dim must be positive, got {}", headDim);

    if (masks.keyPadding)
        checkMask(*masks.keyPadding, "key_padding_mask", { batch, seqLen }, query);
    if (masks.attention)
        checkMask(*masks.attention, "attn_mask", { seqLen, seqLen }, query);

    const double resolved = scale ? *scale : 1.0 / std::sqrt(double(headDim));
    if (!std::isfinite(resolved))
        fail("attention: scale must be finite, got {}", resolved);
    return resolved;
}

void checkBackwardArguments(
    const at::Tensor& gradOutput, const at::Tensor& output, const at::Tensor& logSumExp, const at::Tensor& query)
{
    checkLikeQuery(gradOutput, "grad_output", query, "");
    checkLikeQuery(output, "output", query, "");
    if (!logSumExp.defined())
        fail("attention: log_sum_exp is undefined");
    const std::vector<std::int64_t> expected { query.size(0), query.size(1), query.size(2) };
    if (logSumExp.sizes() != at::IntArrayRef(expected))
        fail("attention: log_sum_exp must be [batch, heads, seq_len] = {}, got shape {}", sizesString(expected),
            shapeString(logSumExp));
    const auto statsType = query.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
    if (logSumExp.scalar_type() != statsType)
        fail("attention: log_sum_exp has dtype {}; expected {} for {} inputs", c10::toString(logSumExp.scalar_type()),
            c10::toString(statsType), c10::toString(query.scalar_type()));
    if (logSumExp.device() != query.device())
        fail("attention: log_sum_exp is on {} but query is on {}", logSumExp.device().str(), query.device().str());
}

} // namespace spw
