#include "op_arguments.h"

#include "layout_cache.h"

#include <c10/util/Exception.h>

#include <limits>
#include <string>

namespace spw::ops {
namespace {

MaskMode maskMode(c10::string_view text, const char* argument)
{
    const std::string mode(text.data(), text.size());
    TORCH_CHECK(mode == "add" || mode == "mul", "block_sparse_attention: ", argument,
        " must be \"add\" or \"mul\", got \"", mode, "\"");
    return mode == "add" ? MaskMode::Add : MaskMode::Mul;
}

std::optional<at::Tensor> engineMask(const c10::optional<at::Tensor>& mask)
{
    if (!mask.has_value() || !mask->defined())
        return std::nullopt;
    return *mask;
}

std::shared_ptr<const Layout> engineLayout(const at::Tensor& query, const at::Tensor& layout, std::int64_t block)
{
    TORCH_CHECK(query.defined() && query.dim() == 4,
        "block_sparse_attention: query must be [batch, heads, seq_len, head_dim], got shape ",
        query.defined() ? query.sizes() : at::IntArrayRef {});
    TORCH_CHECK(block > 0 && block <= std::numeric_limits<int>::max(),
        "block_sparse_attention: block must be positive, got ", block);
    const std::int64_t heads = query.size(1), seqLen = query.size(2);
    TORCH_CHECK(seqLen % block == 0, "block_sparse_attention: query seq_len ", seqLen, " is not a multiple of block ",
        block, " (pad the sequence to the block)");
    const std::int64_t numBlocks = seqLen / block;
    TORCH_CHECK(layout.defined(), "block_sparse_attention: layout is undefined");
    TORCH_CHECK(layout.scalar_type() == at::kBool || at::isIntegralType(layout.scalar_type(), false),
        "block_sparse_attention: layout must be bool or integer, got dtype ", layout.scalar_type());
    TORCH_CHECK(
        layout.dim() == 3 && layout.size(0) == heads && layout.size(1) == numBlocks && layout.size(2) == numBlocks,
        "block_sparse_attention: layout must be [heads, seq_len/block, seq_len/block] = [", heads, ", ", numBlocks,
        ", ", numBlocks, "] for query shape ", query.sizes(), " and block ", block, ", got shape ", layout.sizes());
    TORCH_CHECK(heads > 0 && numBlocks > 0 && heads <= std::numeric_limits<int>::max()
            && numBlocks <= std::numeric_limits<int>::max(),
        "block_sparse_attention: query must have at least one head and one block of tokens, got shape ", query.sizes());

    return cachedLayout(layout, block, [&] {
        Layout result;
        result.numHeads = int(heads);
        result.numBlocks = int(numBlocks);
        result.block = int(block);
        const at::Tensor mask = layout.ne(0).to(at::kByte).cpu().contiguous();
        const std::uint8_t* begin = mask.data_ptr<std::uint8_t>();
        result.mask.assign(begin, begin + mask.numel());
        // Caches keyed by layout (the CUDA lookup tables) use the fingerprint instead of rehashing the mask per call.
        result.fingerprint = computeFingerprint(result);
        return result;
    });
}

} // namespace

EngineArguments engineArguments(const at::Tensor& query, const at::Tensor& layout, std::int64_t block,
    const c10::optional<at::Tensor>& keyPaddingMask, c10::string_view keyPaddingMode,
    const c10::optional<at::Tensor>& attnMask, c10::string_view attnMaskMode, c10::optional<double> scale)
{
    EngineArguments arguments;
    arguments.masks.keyPaddingMode = maskMode(keyPaddingMode, "key_padding_mode");
    arguments.masks.attentionMode = maskMode(attnMaskMode, "attn_mask_mode");
    arguments.masks.keyPadding = engineMask(keyPaddingMask);
    arguments.masks.attention = engineMask(attnMask);
    if (scale.has_value())
        arguments.scale = *scale;
    arguments.layout = engineLayout(query, layout, block);
    return arguments;
}

} // namespace spw::ops
