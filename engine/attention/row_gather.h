#pragma once
// The steps shared by the ATen path's forward and backward (aten_block_sparse_attention.h). Per group of heads with
// one layout, the row blocks of one bucket (rows with the same number of nonzero column blocks, layout_index.h) are
// computed together with the key/value blocks their layout rows name: a step's scores are a dense
// [batch, heads, rows, block, width·block] tensor holding every score of its rows, so cost follows the layout's
// nonzero blocks and the seq_len × seq_len score matrix is never formed. Index tensors live on the inputs' device:
// the same code runs on CPU and on CUDA.
#include "attention/block_sparse_attention.h"

#include <cstdint>
#include <vector>

namespace spw {

struct GatherStep {
    at::Tensor rows; // [rows] row-block indices (int64, on the device)
    at::Tensor columns; // [rows · width] column-block indices, row after row
    std::int64_t rowCount = 0;
    std::int64_t width = 0; // nonzero column blocks per row
};

struct GatherGroup {
    at::Tensor heads; // the group's head indices (int64, on the device)
    std::int64_t headCount = 0;
    bool allHeads = false; // every head shares one layout: no head selection needed
    std::vector<GatherStep> steps;
};

struct GatherPlan {
    std::int64_t batch = 0, seqLen = 0, headDim = 0, block = 0, numBlocks = 0;
    double scale = 1;
    MaskMode keyPaddingMode = MaskMode::Add;
    MaskMode attentionMode = MaskMode::Mul;
    at::Tensor keyPadding; // [batch, num_blocks, block] view of the key padding mask, or undefined
    at::Tensor attention; // [seq_len, seq_len] contiguous, or undefined
    at::Tensor withinBlock; // arange(block) on the device
    std::vector<GatherGroup> groups;
};

// Arguments already checked (checkAttentionArguments).
GatherPlan planGather(const at::Tensor& query, const Layout& layout, const AttentionMasks& masks, double scale);

// `tensor` [batch, heads, seq_len, head_dim] restricted to the group's heads, as
// [batch, group heads, num_blocks, block, head_dim] (a view when the group has every head, else a copy).
at::Tensor groupBlocks(const GatherPlan& plan, const GatherGroup& group, const at::Tensor& tensor);

// The step's row blocks of `blocks` (from groupBlocks): [batch, group heads, rows, block, head_dim].
at::Tensor gatherRows(const at::Tensor& blocks, const GatherStep& step);
// The step's column blocks per row: [batch, group heads, rows, width · block, head_dim].
at::Tensor gatherColumns(const GatherPlan& plan, const at::Tensor& blocks, const GatherStep& step);

// scale · queries · keysᵀ with both masks applied ("add": added in the compute dtype as DeepSpeed does; "mul": zero
// entries become -inf): [batch, group heads, rows, block, width · block].
at::Tensor stepScores(
    const GatherPlan& plan, const GatherStep& step, const at::Tensor& queries, const at::Tensor& keys);

// A stable softmax over a step's rows, in pieces, so that the forward can divide after multiplying by the values
// (cheaper) and the backward can normalise the probabilities themselves.
struct RowExponentials {
    at::Tensor exponentials; // exp(score - row maximum): 0 on excluded entries and on rows that attend nothing
    at::Tensor sum; // [..., 1] row sums, clamped at 1 so that rows that attend nothing divide to 0
    at::Tensor logSumExp; // [...] natural log of each row's sum of exp(score); -inf for rows that attend nothing
};
// Consumes `scores` (the exponentials are computed in place).
RowExponentials rowExponentials(at::Tensor scores);

} // namespace spw
