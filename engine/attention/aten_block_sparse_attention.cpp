#include "attention/aten_block_sparse_attention.h"

#include "attention/layout_index.h"

#include <algorithm>
#include <limits>

namespace spw {
namespace {

// Score elements computed per step: large enough that the per-op overhead of ATen is negligible, small enough
// that a step's scores stay in cache (a few MB) instead of streaming through memory.
constexpr std::int64_t kScoreElementsPerStep = std::int64_t(1) << 19;

at::Tensor indexTensor(const std::vector<std::int64_t>& values, std::size_t begin, std::size_t count)
{
    return at::tensor(at::ArrayRef<std::int64_t>(values.data() + begin, count), at::kLong);
}

// Applies a mask gathered for the step's scores: "add" adds it (as DeepSpeed does, in the compute dtype); "mul"
// excludes its zero entries. `gathered` broadcasts against `scores`.
void applyMask(at::Tensor& scores, const at::Tensor& gathered, MaskMode mode)
{
    if (mode == MaskMode::Add)
        scores.add_(gathered.to(scores.scalar_type()));
    else
        scores.masked_fill_(gathered.to(at::kBool).logical_not(), -std::numeric_limits<double>::infinity());
}

struct Problem {
    std::int64_t batch, seqLen, headDim, block, numBlocks;
    const AttentionMasks* masks;
    double scale;
    at::Tensor keyPadding; // [batch, num_blocks, block] view of the key padding mask, or undefined
    at::Tensor attention; // [seq_len, seq_len] contiguous, or undefined
};

// One step: `rows` row blocks of one bucket for every batch and every head of a group.
// q, k, v: [batch, heads, num_blocks, block, head_dim]; out receives the rows' outputs.
void attendRows(const Problem& p, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, at::Tensor& out,
    const RowBucket& bucket, std::size_t firstRow, std::size_t rowCount)
{
    const std::int64_t rows = std::int64_t(rowCount);
    const std::int64_t width = bucket.width;
    const std::int64_t heads = q.size(1);
    const std::int64_t columnsPerRow = width * p.block;
    const at::Tensor rowIndex = indexTensor(bucket.rows, firstRow, rowCount);
    const at::Tensor columnIndex = indexTensor(bucket.columns, firstRow * std::size_t(width), rowCount * width);

    const at::Tensor queries = q.index_select(2, rowIndex); // [B, G, R, block, D]
    const at::Tensor keys = k.index_select(2, columnIndex).view({ p.batch, heads, rows, columnsPerRow, p.headDim });
    const at::Tensor values = v.index_select(2, columnIndex).view({ p.batch, heads, rows, columnsPerRow, p.headDim });

    at::Tensor scores = at::matmul(queries, keys.transpose(-1, -2)); // [B, G, R, block, width·block]
    scores.mul_(p.scale);
    if (p.keyPadding.defined()) {
        const at::Tensor padding
            = p.keyPadding.index_select(1, columnIndex).view({ p.batch, 1, rows, 1, columnsPerRow });
        applyMask(scores, padding, p.masks->keyPaddingMode);
    }
    if (p.attention.defined()) {
        // Token coordinates of every gathered score, so that only those entries of the L × L mask are read.
        const at::Tensor within = at::arange(p.block, at::kLong);
        const at::Tensor queryTokens = (rowIndex.view({ rows, 1, 1 }) * p.block + within.view({ 1, p.block, 1 }));
        const at::Tensor keyTokens
            = (columnIndex.view({ rows, width, 1 }) * p.block + within).view({ rows, 1, columnsPerRow });
        const at::Tensor gathered = at::take(p.attention, queryTokens * p.seqLen + keyTokens);
        applyMask(scores, gathered.view({ 1, 1, rows, p.block, columnsPerRow }), p.masks->attentionMode);
    }

    // Stable softmax over the gathered columns only. A row whose every entry is -inf (all excluded) has its
    // maximum clamped to a finite value, so its exponentials are all 0 and its output is 0 rather than NaN;
    // any other row has a sum >= 1 (its maximum contributes exp(0)), so clamping the sum at 1 changes nothing.
    at::Tensor maximum = at::amax(scores, { -1 }, true);
    maximum.clamp_min_(scores.scalar_type() == at::kDouble ? std::numeric_limits<double>::lowest()
                                                           : double(std::numeric_limits<float>::lowest()));
    scores.sub_(maximum).exp_();
    const at::Tensor sum = scores.sum(-1, true).clamp_min_(1.0);
    const at::Tensor result = at::matmul(scores, values).div_(sum); // [B, G, R, block, D]
    out.index_copy_(2, rowIndex, result);
}

} // namespace

at::Tensor atenBlockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks, double scale)
{
    const auto inputType = query.scalar_type();
    const auto computeType = inputType == at::kDouble ? at::kDouble : at::kFloat;
    if (query.numel() == 0)
        return at::zeros_like(query);

    Problem p {};
    p.batch = query.size(0);
    p.seqLen = query.size(2);
    p.headDim = query.size(3);
    p.block = layout.block;
    p.numBlocks = layout.numBlocks;
    p.masks = &masks;
    p.scale = scale;
    if (masks.keyPadding)
        p.keyPadding = masks.keyPadding->contiguous().view({ p.batch, p.numBlocks, p.block });
    if (masks.attention)
        p.attention = masks.attention->contiguous();

    const std::int64_t heads = query.size(1);
    const at::Tensor q = query.to(computeType).contiguous();
    const at::Tensor k = key.to(computeType).contiguous();
    const at::Tensor v = value.to(computeType).contiguous();
    at::Tensor out = at::zeros(query.sizes(), q.options()); // rows with no nonzero block stay 0

    const LayoutIndex index = buildLayoutIndex(layout);
    for (const HeadGroup& group : index.groups) {
        const std::int64_t groupHeads = std::int64_t(group.heads.size());
        const bool allHeads = groupHeads == heads;
        const at::Tensor headIndex = indexTensor(group.heads, 0, group.heads.size());
        const auto blocked = [&](const at::Tensor& t) {
            const at::Tensor selected = allHeads ? t : t.index_select(1, headIndex);
            return selected.view({ p.batch, groupHeads, p.numBlocks, p.block, p.headDim });
        };
        const at::Tensor qb = blocked(q), kb = blocked(k), vb = blocked(v);
        at::Tensor groupOut = allHeads ? out : at::zeros({ p.batch, groupHeads, p.seqLen, p.headDim }, q.options());
        at::Tensor groupOutBlocks = groupOut.view({ p.batch, groupHeads, p.numBlocks, p.block, p.headDim });

        for (const RowBucket& bucket : group.buckets) {
            const std::int64_t perRow = p.batch * groupHeads * p.block * bucket.width * p.block;
            const std::size_t step = std::size_t(std::max<std::int64_t>(1, kScoreElementsPerStep / perRow));
            for (std::size_t first = 0; first < bucket.rows.size(); first += step) {
                const std::size_t count = std::min(step, bucket.rows.size() - first);
                attendRows(p, qb, kb, vb, groupOutBlocks, bucket, first, count);
            }
        }
        if (!allHeads)
            out.index_copy_(1, headIndex, groupOut);
    }
    return out.to(inputType);
}

} // namespace spw
