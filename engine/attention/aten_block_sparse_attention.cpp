#include "attention/aten_block_sparse_attention.h"

#include "attention/row_gather.h"

#include <limits>

namespace spw {

AttentionWithStats atenBlockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks, double scale)
{
    const auto inputType = query.scalar_type();
    const auto computeType = inputType == at::kDouble ? at::kDouble : at::kFloat;
    const at::Tensor q = query.to(computeType).contiguous();
    const at::Tensor k = key.to(computeType).contiguous();
    const at::Tensor v = value.to(computeType).contiguous();
    const double inf = std::numeric_limits<double>::infinity();
    const std::int64_t batch = q.size(0), heads = q.size(1), seqLen = q.size(2), headDim = q.size(3);
    // Rows with no nonzero block are in no step: their output stays 0 and their log-sum-exp -inf.
    at::Tensor out = at::zeros(q.sizes(), q.options());
    at::Tensor logSumExp = at::full({ batch, heads, seqLen }, -inf, q.options());
    if (q.numel() == 0)
        return { out.to(inputType), logSumExp };

    const GatherPlan plan = planGather(q, layout, masks, scale);
    for (const GatherGroup& group : plan.groups) {
        const at::Tensor qb = groupBlocks(plan, group, q);
        const at::Tensor kb = groupBlocks(plan, group, k);
        const at::Tensor vb = groupBlocks(plan, group, v);
        at::Tensor groupOut
            = group.allHeads ? out : at::zeros({ batch, group.headCount, seqLen, headDim }, q.options());
        at::Tensor groupLogSumExp
            = group.allHeads ? logSumExp : at::full({ batch, group.headCount, seqLen }, -inf, q.options());
        at::Tensor outBlocks = groupOut.view(qb.sizes());
        at::Tensor logSumExpBlocks = groupLogSumExp.view({ batch, group.headCount, plan.numBlocks, plan.block });
        for (const GatherStep& step : group.steps) {
            const at::Tensor keys = gatherColumns(plan, kb, step);
            const RowExponentials softmax = rowExponentials(stepScores(plan, step, gatherRows(qb, step), keys));
            const at::Tensor values = gatherColumns(plan, vb, step);
            outBlocks.index_copy_(2, step.rows, at::matmul(softmax.exponentials, values).div_(softmax.sum));
            logSumExpBlocks.index_copy_(2, step.rows, softmax.logSumExp);
        }
        if (!group.allHeads) {
            out.index_copy_(1, group.heads, groupOut);
            logSumExp.index_copy_(1, group.heads, groupLogSumExp);
        }
    }
    return { out.to(inputType), logSumExp };
}

} // namespace spw
