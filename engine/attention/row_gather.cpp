#include "attention/row_gather.h"

#include "attention/layout_index.h"

#include <algorithm>
#include <limits>

namespace spw {
namespace {

// Score elements per step. On the CPU: large enough that ATen's per-op overhead is negligible, small enough that
// a step's scores stay in cache (a few MB) instead of streaming through memory. On other devices each op is a
// kernel launch, so steps are larger (tens of MB of scores and their temporaries per step).
std::int64_t scoreElementsPerStep(const at::Device& device)
{
    return device.is_cpu() ? std::int64_t(1) << 19 : std::int64_t(1) << 23;
}

at::Tensor indexTensor(const std::vector<std::int64_t>& values, const at::Device& device)
{
    return at::tensor(at::ArrayRef<std::int64_t>(values), at::kLong).to(device);
}

// Applies a mask gathered for the step's scores; `gathered` broadcasts against `scores`.
void applyMask(at::Tensor& scores, const at::Tensor& gathered, MaskMode mode)
{
    if (mode == MaskMode::Add)
        scores.add_(gathered.to(scores.scalar_type()));
    else
        scores.masked_fill_(gathered.to(at::kBool).logical_not(), -std::numeric_limits<double>::infinity());
}

} // namespace

GatherPlan planGather(const at::Tensor& query, const Layout& layout, const AttentionMasks& masks, double scale)
{
    GatherPlan plan;
    plan.batch = query.size(0);
    plan.seqLen = query.size(2);
    plan.headDim = query.size(3);
    plan.block = layout.block;
    plan.numBlocks = layout.numBlocks;
    plan.scale = scale;
    plan.keyPaddingMode = masks.keyPaddingMode;
    plan.attentionMode = masks.attentionMode;
    if (masks.keyPadding)
        plan.keyPadding = masks.keyPadding->contiguous().view({ plan.batch, plan.numBlocks, plan.block });
    if (masks.attention)
        plan.attention = masks.attention->contiguous();
    const at::Device device = query.device();
    plan.withinBlock = at::arange(plan.block, at::TensorOptions().dtype(at::kLong).device(device));

    const std::int64_t heads = query.size(1);
    const std::int64_t budget = scoreElementsPerStep(device);
    for (const HeadGroup& headGroup : buildLayoutIndex(layout).groups) {
        GatherGroup group;
        group.headCount = std::int64_t(headGroup.heads.size());
        group.allHeads = group.headCount == heads;
        group.heads = indexTensor(headGroup.heads, device);
        for (const RowBucket& bucket : headGroup.buckets) {
            // One transfer per bucket; its steps are slices of it.
            const at::Tensor rows = indexTensor(bucket.rows, device);
            const at::Tensor columns = indexTensor(bucket.columns, device);
            const std::int64_t perRow = plan.batch * group.headCount * plan.block * bucket.width * plan.block;
            const std::int64_t step = std::max<std::int64_t>(1, budget / std::max<std::int64_t>(1, perRow));
            const std::int64_t rowCount = std::int64_t(bucket.rows.size());
            for (std::int64_t first = 0; first < rowCount; first += step) {
                const std::int64_t count = std::min(step, rowCount - first);
                group.steps.push_back({ rows.narrow(0, first, count),
                    columns.narrow(0, first * bucket.width, count * bucket.width), count, bucket.width });
            }
        }
        plan.groups.push_back(std::move(group));
    }
    return plan;
}

at::Tensor groupBlocks(const GatherPlan& plan, const GatherGroup& group, const at::Tensor& tensor)
{
    const at::Tensor selected = group.allHeads ? tensor : tensor.index_select(1, group.heads);
    return selected.view({ plan.batch, group.headCount, plan.numBlocks, plan.block, plan.headDim });
}

at::Tensor gatherRows(const at::Tensor& blocks, const GatherStep& step)
{
    return blocks.index_select(2, step.rows);
}

at::Tensor gatherColumns(const GatherPlan& plan, const at::Tensor& blocks, const GatherStep& step)
{
    return blocks.index_select(2, step.columns)
        .view({ plan.batch, blocks.size(1), step.rowCount, step.width * plan.block, plan.headDim });
}

at::Tensor stepScores(const GatherPlan& plan, const GatherStep& step, const at::Tensor& queries, const at::Tensor& keys)
{
    const std::int64_t rows = step.rowCount;
    const std::int64_t columnsPerRow = step.width * plan.block;
    at::Tensor scores = at::matmul(queries, keys.transpose(-1, -2));
    scores.mul_(plan.scale);
    if (plan.keyPadding.defined()) {
        const at::Tensor padding
            = plan.keyPadding.index_select(1, step.columns).view({ plan.batch, 1, rows, 1, columnsPerRow });
        applyMask(scores, padding, plan.keyPaddingMode);
    }
    if (plan.attention.defined()) {
        // Token coordinates of every gathered score, so that only those entries of the L × L mask are read.
        const at::Tensor queryTokens
            = step.rows.view({ rows, 1, 1 }) * plan.block + plan.withinBlock.view({ 1, plan.block, 1 });
        const at::Tensor keyTokens = (step.columns.view({ rows, step.width, 1 }) * plan.block + plan.withinBlock)
                                         .view({ rows, 1, columnsPerRow });
        const at::Tensor gathered = at::take(plan.attention, queryTokens * plan.seqLen + keyTokens);
        applyMask(scores, gathered.view({ 1, 1, rows, plan.block, columnsPerRow }), plan.attentionMode);
    }
    return scores;
}

RowExponentials rowExponentials(at::Tensor scores)
{
    // A row whose every entry is -inf (all excluded) has its maximum clamped to a finite value, so that its
    // exponentials are all 0 (not NaN) and its log-sum-exp is log(0) = -inf; any other row has a sum >= 1 (its
    // maximum contributes exp(0)), so clamping the sum at 1 changes nothing there.
    at::Tensor maximum = at::amax(scores, { -1 }, true);
    maximum.clamp_min_(scores.scalar_type() == at::kDouble ? std::numeric_limits<double>::lowest()
                                                           : double(std::numeric_limits<float>::lowest()));
    scores.sub_(maximum).exp_();
    at::Tensor sum = scores.sum(-1, true);
    at::Tensor logSumExp = (sum.log() + maximum).squeeze(-1);
    sum.clamp_min_(1.0);
    return { scores, sum, logSumExp };
}

} // namespace spw
