#include "attention/dense_check.h"

#include "common/error.h"

#include <torch/csrc/autograd/autograd.h>

#include <algorithm>

namespace spw {
namespace {

// Query rows per chunk: a chunk's scores take rows × seq_len elements (4096 × 65,536 floats = 1 GiB).
constexpr std::int64_t kRowsPerChunk = 4096;

// The largest |difference| and |reference| seen so far, over all chunks.
struct Extremes {
    double difference = 0;
    double reference = 0;

    void add(const at::Tensor& ours, const at::Tensor& reference)
    {
        const at::Tensor expected = reference.to(at::kDouble);
        difference = std::max(difference, (ours.to(at::kDouble) - expected).abs().max().item<double>());
        this->reference = std::max(this->reference, expected.abs().max().item<double>());
    }

    DenseCheckError error() const { return { difference, reference > 0 ? difference / reference : 0.0 }; }
};

// [seq_len, seq_len] bool: the head's layout at token granularity.
at::Tensor tokenMask(const Layout& layout, int head, const at::Device& device)
{
    const std::int64_t n = layout.numBlocks;
    const at::Tensor blocks
        = at::from_blob(const_cast<std::uint8_t*>(layout.mask.data()) + std::size_t(head) * n * n, { n, n }, at::kByte)
              .to(device)
              .to(at::kBool);
    return blocks.repeat_interleave(layout.block, 0).repeat_interleave(layout.block, 1);
}

} // namespace

DenseCheck checkAgainstDense(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, double scale, const BlockSparseResult& ours, const at::Tensor& gradOutput)
{
    const std::int64_t batch = query.size(0), heads = query.size(1), seqLen = query.size(2);
    if (heads != layout.numHeads || seqLen != layout.seqLen())
        fail("dense check: query of shape [{}, {}, {}, ...] does not match the layout ({} heads, {} tokens)", batch,
            heads, seqLen, layout.numHeads, layout.seqLen());
    const bool gradients = gradOutput.defined();
    const auto computeType = query.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
    Extremes output, dq, dk, dv;
    for (int h = 0; h < heads; ++h) {
        const at::Tensor allowed = tokenMask(layout, h, query.device());
        for (std::int64_t b = 0; b < batch; ++b) {
            const at::Tensor q = query[b][h].to(computeType).detach().requires_grad_(gradients);
            const at::Tensor k = key[b][h].to(computeType).detach().requires_grad_(gradients);
            const at::Tensor v = value[b][h].to(computeType).detach().requires_grad_(gradients);
            for (std::int64_t row = 0; row < seqLen; row += kRowsPerChunk) {
                const std::int64_t rows = std::min(kRowsPerChunk, seqLen - row);
                const at::Tensor chunkAllowed = allowed.narrow(0, row, rows);
                const at::Tensor scores = at::matmul(q.narrow(0, row, rows), k.transpose(0, 1)).mul(scale);
                // A row that attends nothing gives 0 (the semantics); its scores stay finite so that neither the
                // softmax nor its gradient meets an all -inf row (NaN).
                const at::Tensor attends = chunkAllowed.any(-1, true);
                const at::Tensor probabilities = at::softmax(scores.masked_fill(~chunkAllowed & attends, -INFINITY), -1)
                                                     .masked_fill(~attends, 0.0);
                const at::Tensor expected = at::matmul(probabilities, v);
                output.add(ours.output[b][h].narrow(0, row, rows), expected.detach());
                if (gradients)
                    torch::autograd::backward({ expected }, { gradOutput[b][h].narrow(0, row, rows).to(computeType) });
            }
            if (gradients) {
                dq.add(ours.gradQuery[b][h], q.grad());
                dk.add(ours.gradKey[b][h], k.grad());
                dv.add(ours.gradValue[b][h], v.grad());
            }
        }
    }
    DenseCheck result;
    result.output = output.error();
    if (gradients) {
        result.query = dq.error();
        result.key = dk.error();
        result.value = dv.error();
    }
    return result;
}

} // namespace spw
