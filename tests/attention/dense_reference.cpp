#include "dense_reference.h"

#include <cstdlib>
#include <limits>
#include <random>

namespace spw::test {

at::Tensor expandLayout(const Layout& layout)
{
    const at::Tensor blocks = at::empty({ layout.numHeads, layout.numBlocks, layout.numBlocks }, at::kBool);
    auto access = blocks.accessor<bool, 3>();
    for (int h = 0; h < layout.numHeads; ++h)
        for (int r = 0; r < layout.numBlocks; ++r)
            for (int c = 0; c < layout.numBlocks; ++c)
                access[h][r][c] = layout.at(h, r, c);
    return blocks.repeat_interleave(layout.block, 1).repeat_interleave(layout.block, 2);
}

at::Tensor denseMaskedScores(
    const at::Tensor& query, const at::Tensor& key, const Layout& layout, const AttentionMasks& masks, double scale)
{
    const double inf = std::numeric_limits<double>::infinity();
    at::Tensor scores = at::matmul(query, key.transpose(-1, -2)) * scale; // [B, H, L, L]
    if (masks.keyPadding) {
        const at::Tensor m = masks.keyPadding->unsqueeze(1).unsqueeze(2); // [B, 1, 1, L]
        if (masks.keyPaddingMode == MaskMode::Add)
            scores = scores + m.to(scores.scalar_type());
        else
            scores = scores.masked_fill(m == 0, -inf);
    }
    if (masks.attention) {
        const at::Tensor m = *masks.attention;
        if (masks.attentionMode == MaskMode::Add)
            scores = scores + m.to(scores.scalar_type());
        else
            scores = scores.masked_fill(m == 0, -inf);
    }
    return scores.masked_fill(expandLayout(layout).logical_not(), -inf);
}

at::Tensor denseReference(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value, const Layout& layout,
    const AttentionMasks& masks, double scale)
{
    const double inf = std::numeric_limits<double>::infinity();
    const at::Tensor scores = denseMaskedScores(query, key, layout, masks, scale);
    // Rows with every entry -inf get 0 instead of softmax's NaN, in a form autograd differentiates without NaN
    // (their scores are replaced before the softmax and their probabilities after it), so that gradients through
    // this reference are a reference too.
    const at::Tensor nothing = (scores == -inf).all(-1, true);
    const at::Tensor probabilities = at::softmax(scores.masked_fill(nothing, 0.0), -1).masked_fill(nothing, 0.0);
    return at::matmul(probabilities, value);
}

at::Tensor plainAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value, double scale)
{
    return at::matmul(at::softmax(at::matmul(query, key.transpose(-1, -2)) * scale, -1), value);
}

namespace {

Layout emptyLayout(int heads, int numBlocks, int block)
{
    Layout layout;
    layout.numHeads = heads;
    layout.numBlocks = numBlocks;
    layout.block = block;
    layout.mask.assign(std::size_t(heads) * numBlocks * numBlocks, 0);
    return layout;
}

} // namespace

Layout denseLayout(int heads, int numBlocks, int block)
{
    Layout layout = emptyLayout(heads, numBlocks, block);
    layout.mask.assign(layout.mask.size(), 1);
    return layout;
}

Layout bandLayout(int heads, int numBlocks, int block, int halfWidth, bool globalFirstBlock)
{
    Layout layout = emptyLayout(heads, numBlocks, block);
    for (int h = 0; h < heads; ++h)
        for (int r = 0; r < numBlocks; ++r)
            for (int c = 0; c < numBlocks; ++c) {
                const bool global = globalFirstBlock && (r == 0 || c == 0);
                layout.mask[layout.index(h, r, c)] = (std::abs(r - c) <= halfWidth || global) ? 1 : 0;
            }
    return layout;
}

Layout randomLayout(int heads, int numBlocks, int block, double density, unsigned seed)
{
    Layout layout = emptyLayout(heads, numBlocks, block);
    std::mt19937 generator(seed);
    std::bernoulli_distribution draw(density);
    for (auto& entry : layout.mask)
        entry = draw(generator) ? 1 : 0;
    return layout;
}

} // namespace spw::test
