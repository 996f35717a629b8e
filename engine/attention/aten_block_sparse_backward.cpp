// The ATen path's backward (aten_block_sparse_attention.h). Per step, with P the rows' probabilities (recomputed),
// dO the rows' output gradients and S the scaled, masked scores:
//   dV[columns] += Pᵀ dO,   dP = dO Vᵀ,   dS = P ⊙ (dP − rowsum(P ⊙ dP)),
//   dQ[rows] = scale · dS K,   dK[columns] += scale · dSᵀ Q.
// rowsum(P ⊙ dP) equals the usual rowsum(dO ⊙ O) but needs no saved output (and is exact in the compute dtype where
// the output was rounded to float16). A key block named by several rows receives their contributions through
// index_add_ (on CUDA an atomic accumulation, so the key and value gradients of this path are not bit-reproducible
// there; on the CPU they are).
#include "attention/aten_block_sparse_attention.h"

#include "attention/row_gather.h"

namespace spw {

AttentionGradients atenBlockSparseAttentionBackward(const at::Tensor& gradOutput, const at::Tensor& query,
    const at::Tensor& key, const at::Tensor& value, const Layout& layout, const AttentionMasks& masks, double scale)
{
    const auto inputType = query.scalar_type();
    const auto computeType = inputType == at::kDouble ? at::kDouble : at::kFloat;
    const at::Tensor q = query.to(computeType).contiguous();
    const at::Tensor k = key.to(computeType).contiguous();
    const at::Tensor v = value.to(computeType).contiguous();
    const at::Tensor dOut = gradOutput.to(computeType).contiguous();
    // Rows with no nonzero block are in no step: their gradients stay 0, and keys no row attends get none.
    at::Tensor dq = at::zeros(q.sizes(), q.options());
    at::Tensor dk = at::zeros(q.sizes(), q.options());
    at::Tensor dv = at::zeros(q.sizes(), q.options());
    const auto result = [&] { return AttentionGradients { dq.to(inputType), dk.to(inputType), dv.to(inputType) }; };
    if (q.numel() == 0)
        return result();

    const GatherPlan plan = planGather(q, layout, masks, scale);
    for (const GatherGroup& group : plan.groups) {
        const at::Tensor qb = groupBlocks(plan, group, q);
        const at::Tensor kb = groupBlocks(plan, group, k);
        const at::Tensor vb = groupBlocks(plan, group, v);
        const at::Tensor dOutBlocks = groupBlocks(plan, group, dOut);
        const auto gradientFor = [&](at::Tensor& whole) { return group.allHeads ? whole : at::zeros_like(qb); };
        at::Tensor groupDq = gradientFor(dq), groupDk = gradientFor(dk), groupDv = gradientFor(dv);
        at::Tensor dqBlocks = groupDq.view(qb.sizes()), dkBlocks = groupDk.view(qb.sizes()),
                   dvBlocks = groupDv.view(qb.sizes());
        for (const GatherStep& step : group.steps) {
            // Gathered key/value gradients [B, G, R, W·block, D] scatter back as R·W blocks of block rows.
            const std::vector<std::int64_t> scattered { plan.batch, group.headCount, step.rowCount * step.width,
                plan.block, plan.headDim };
            const at::Tensor queries = gatherRows(qb, step);
            const at::Tensor keys = gatherColumns(plan, kb, step);
            const at::Tensor values = gatherColumns(plan, vb, step);
            const at::Tensor dO = gatherRows(dOutBlocks, step);

            const RowExponentials softmax = rowExponentials(stepScores(plan, step, queries, keys));
            const at::Tensor p = softmax.exponentials.div_(softmax.sum);
            dvBlocks.index_add_(2, step.columns, at::matmul(p.transpose(-1, -2), dO).view(scattered));
            at::Tensor dS = at::matmul(dO, values.transpose(-1, -2)); // dP, turned into dS in place
            const at::Tensor rowDot = (p * dS).sum(-1, true);
            dS.sub_(rowDot).mul_(p).mul_(plan.scale);
            dqBlocks.index_copy_(2, step.rows, at::matmul(dS, keys));
            dkBlocks.index_add_(2, step.columns, at::matmul(dS.transpose(-1, -2), queries).view(scattered));
        }
        if (!group.allHeads) {
            const auto viewed = [&](const at::Tensor& t) {
                return t.view({ plan.batch, group.headCount, plan.seqLen, plan.headDim });
            };
            dq.index_copy_(1, group.heads, viewed(groupDq));
            dk.index_copy_(1, group.heads, viewed(groupDk));
            dv.index_copy_(1, group.heads, viewed(groupDv));
        }
    }
    return result();
}

} // namespace spw
