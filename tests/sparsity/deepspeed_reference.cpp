#include "deepspeed_reference.h"

#include <algorithm>

namespace spw::test {
namespace {

struct PyRaise { };

// Python's slice.indices(n) for step 1: negative bounds count from the end, then clamp to [0, n].
int bound(long value, int n)
{
    if (value < 0)
        value += n;
    return int(std::clamp<long>(value, 0, n));
}

struct Slice {
    long start;
    long stop;
};
const long kNone = 1L << 40; // an open end: `x:` or `:`

// layout[h, rows, cols] = 1
void assign(Tensor3& layout, int h, Slice rows, Slice cols)
{
    const int nb = int(layout[0].size());
    const int r0 = rows.start == -kNone ? 0 : bound(rows.start, nb),
              r1 = rows.stop == kNone ? nb : bound(rows.stop, nb);
    const int c0 = cols.start == -kNone ? 0 : bound(cols.start, nb),
              c1 = cols.stop == kNone ? nb : bound(cols.stop, nb);
    for (int r = r0; r < r1; ++r)
        for (int c = c0; c < c1; ++c)
            layout[h][r][c] = 1;
}
const Slice kAll { -kNone, kNone };
Slice from(long start)
{
    return { start, kNone };
}
Slice range(long start, long stop)
{
    return { start, stop };
}
Slice at(long index, int n)
{
    if (index < -n || index >= n)
        throw PyRaise {};
    return { index < 0 ? index + n : index, (index < 0 ? index + n : index) + 1 };
}

Tensor3 setupLayout(const DeepSpeedParams& p, int seqLen)
{
    if (seqLen % p.block != 0)
        throw PyRaise {};
    int numBlocks = seqLen / p.block;
    return Tensor3(p.numHeads, std::vector<std::vector<int>>(numBlocks, std::vector<int>(numBlocks, 0)));
}

void checkAndPropagateFirstHeadLayout(const DeepSpeedParams& p, Tensor3& layout)
{
    if (!p.differentLayoutPerHead)
        for (int h = 1; h < p.numHeads; ++h)
            layout[h] = layout[0];
}

void tril(Tensor3& layout)
{
    for (auto& head : layout)
        for (std::size_t r = 0; r < head.size(); ++r)
            for (std::size_t c = r + 1; c < head.size(); ++c)
                head[r][c] = 0;
}

void checkAttention(const DeepSpeedParams& p)
{
    if (p.attention != "unidirectional" && p.attention != "bidirectional")
        throw PyRaise {};
}

void checkGlobalEnds(const DeepSpeedParams& p)
{
    if (p.globalBlockEndIndices) {
        if (p.globalBlockIndices.size() != p.globalBlockEndIndices->size())
            throw PyRaise {};
        for (std::size_t i = 0; i < p.globalBlockIndices.size(); ++i)
            if (p.globalBlockIndices[i] >= (*p.globalBlockEndIndices)[i])
                throw PyRaise {};
    }
}

// ---- FixedSparsityConfig ----
Tensor3 fixedLayout(const DeepSpeedParams& p, int seqLen)
{
    if (p.numLocalBlocks % p.numGlobalBlocks != 0)
        throw PyRaise {};
    checkAttention(p);
    if (p.attention != "bidirectional" && p.horizontalGlobalAttention)
        throw PyRaise {};
    if (p.numDifferentGlobalPatterns > 1 && !p.differentLayoutPerHead)
        throw PyRaise {};
    if (p.numDifferentGlobalPatterns > p.numLocalBlocks / p.numGlobalBlocks)
        throw PyRaise {};

    Tensor3 layout = setupLayout(p, seqLen);
    const int numBlocks = int(layout[0].size());
    const int numLayoutHeads = p.differentLayoutPerHead ? p.numHeads : 1;
    for (int h = 0; h < numLayoutHeads; ++h) {
        // set_local_layout
        for (int i = 0; i < numBlocks; i += p.numLocalBlocks) {
            int end = std::min(i + p.numLocalBlocks, numBlocks);
            for (int row = i; row < end; ++row)
                for (int col = i; col < (p.attention == "unidirectional" ? row + 1 : end); ++col)
                    layout[h][row][col] = 1;
        }
        // set_global_layout
        int firstGlobalBlockIdx = p.numLocalBlocks - (1 + h % p.numDifferentGlobalPatterns) * p.numGlobalBlocks;
        int end = numBlocks - (numBlocks % p.numLocalBlocks);
        for (int i = firstGlobalBlockIdx; i < end; i += p.numLocalBlocks) {
            int firstRow = p.attention == "bidirectional" ? 0 : i;
            assign(layout, h, from(firstRow), range(i, i + p.numGlobalBlocks));
            if (p.horizontalGlobalAttention)
                assign(layout, h, range(i, i + p.numGlobalBlocks), kAll);
        }
        if (end < numBlocks) {
            int start = std::min(end + firstGlobalBlockIdx, numBlocks - p.numGlobalBlocks);
            end = start + p.numGlobalBlocks;
            int firstRow = p.attention == "bidirectional" ? 0 : start;
            assign(layout, h, from(firstRow), range(start, end));
            if (p.horizontalGlobalAttention)
                assign(layout, h, range(start, end), kAll);
        }
    }
    checkAndPropagateFirstHeadLayout(p, layout);
    return layout;
}

// ---- VariableSparsityConfig (num_random_blocks = 0) ----
Tensor3 variableLayout(const DeepSpeedParams& p, int seqLen)
{
    checkGlobalEnds(p);
    checkAttention(p);
    if (p.attention != "bidirectional" && p.horizontalGlobalAttention)
        throw PyRaise {};

    Tensor3 layout = setupLayout(p, seqLen);
    const int numBlocks = int(layout[0].size());
    const int numLayoutHeads = p.differentLayoutPerHead ? p.numHeads : 1;
    for (int h = 0; h < numLayoutHeads; ++h) {
        // set_local_layout
        int startBlockIdx = 0;
        int endBlockIdx = 0;
        int blockSize = 0;
        for (int size : p.localWindowBlocks) {
            blockSize = size;
            endBlockIdx += blockSize;
            endBlockIdx = std::min(endBlockIdx, numBlocks);
            for (int row = startBlockIdx; row < endBlockIdx; ++row)
                for (int col = startBlockIdx; col < (p.attention == "unidirectional" ? row + 1 : endBlockIdx); ++col)
                    layout[h][row][col] = 1;
            startBlockIdx += blockSize;
        }
        for (int i = startBlockIdx; i < numBlocks; i += blockSize) {
            endBlockIdx = std::min(i + blockSize, numBlocks);
            for (int row = i; row < endBlockIdx; ++row)
                for (int col = i; col < (p.attention == "unidirectional" ? row + 1 : endBlockIdx); ++col)
                    layout[h][row][col] = 1;
        }
        // set_global_layout
        if (!p.globalBlockEndIndices) {
            for (int idx : p.globalBlockIndices)
                if (idx < numBlocks) {
                    if (p.horizontalGlobalAttention)
                        assign(layout, h, at(idx, numBlocks), kAll);
                    int firstRow = p.attention == "bidirectional" ? 0 : idx;
                    assign(layout, h, from(firstRow), at(idx, numBlocks));
                }
        } else {
            for (std::size_t k = 0; k < p.globalBlockIndices.size(); ++k) {
                int startIdx = p.globalBlockIndices[k];
                int endIdx = (*p.globalBlockEndIndices)[k];
                if (startIdx < numBlocks) {
                    endIdx = std::min(endIdx, numBlocks);
                    if (p.horizontalGlobalAttention)
                        assign(layout, h, range(startIdx, endIdx), kAll);
                    int firstRow = p.attention == "bidirectional" ? 0 : startIdx;
                    assign(layout, h, from(firstRow), range(startIdx, endIdx));
                }
            }
        }
    }
    checkAndPropagateFirstHeadLayout(p, layout);
    return layout;
}

void slidingWindow(const DeepSpeedParams& p, Tensor3& layout, int h)
{
    const int numBlocks = int(layout[0].size());
    if (numBlocks < p.numSlidingWindowBlocks)
        throw PyRaise {};
    int w = p.numSlidingWindowBlocks / 2;
    for (int row = 0; row < numBlocks; ++row) {
        int start = std::max(0, row - w);
        int end = std::min(row + w + 1, numBlocks);
        assign(layout, h, at(row, numBlocks), range(start, end));
    }
}

// ---- BigBirdSparsityConfig (num_random_blocks = 0) ----
Tensor3 bigBirdLayout(const DeepSpeedParams& p, int seqLen)
{
    checkAttention(p);
    Tensor3 layout = setupLayout(p, seqLen);
    const int numBlocks = int(layout[0].size());
    const int numLayoutHeads = p.differentLayoutPerHead ? p.numHeads : 1;
    for (int h = 0; h < numLayoutHeads; ++h) {
        slidingWindow(p, layout, h);
        if (numBlocks < p.numGlobalBlocks)
            throw PyRaise {};
        assign(layout, h, range(0, p.numGlobalBlocks), kAll);
        assign(layout, h, kAll, range(0, p.numGlobalBlocks));
        if (p.attention == "unidirectional")
            tril(layout);
    }
    checkAndPropagateFirstHeadLayout(p, layout);
    return layout;
}

// ---- BSLongformerSparsityConfig ----
Tensor3 bsLongformerLayout(const DeepSpeedParams& p, int seqLen)
{
    checkGlobalEnds(p);
    Tensor3 layout = setupLayout(p, seqLen);
    const int numBlocks = int(layout[0].size());
    const int numLayoutHeads = p.differentLayoutPerHead ? p.numHeads : 1;
    for (int h = 0; h < numLayoutHeads; ++h) {
        slidingWindow(p, layout, h);
        if (!p.globalBlockEndIndices) {
            for (int idx : p.globalBlockIndices)
                if (idx < numBlocks) {
                    assign(layout, h, at(idx, numBlocks), kAll);
                    assign(layout, h, kAll, at(idx, numBlocks));
                }
        } else {
            for (std::size_t k = 0; k < p.globalBlockIndices.size(); ++k) {
                int startIdx = p.globalBlockIndices[k];
                int endIdx = (*p.globalBlockEndIndices)[k];
                if (startIdx < numBlocks) {
                    endIdx = std::min(endIdx, numBlocks);
                    assign(layout, h, range(startIdx, endIdx), kAll);
                    assign(layout, h, kAll, range(startIdx, endIdx));
                }
            }
        }
        if (p.attention == "unidirectional")
            tril(layout);
    }
    checkAndPropagateFirstHeadLayout(p, layout);
    return layout;
}

// ---- LocalSlidingWindowSparsityConfig (takes no different_layout_per_head: always one layout) ----
Tensor3 localLayout(DeepSpeedParams p, int seqLen)
{
    p.differentLayoutPerHead = false;
    Tensor3 layout = setupLayout(p, seqLen);
    const int numBlocks = int(layout[0].size());
    if (numBlocks < p.numSlidingWindowBlocks)
        throw PyRaise {};
    int w = p.numSlidingWindowBlocks / 2;
    for (int row = 0; row < numBlocks; ++row) {
        int start = std::max(0, row - w);
        int end = p.attention == "bidirectional" ? std::min(row + w + 1, numBlocks) : row + 1;
        assign(layout, 0, at(row, numBlocks), range(start, end));
    }
    checkAndPropagateFirstHeadLayout(p, layout);
    return layout;
}

Tensor3 denseLayout(const DeepSpeedParams& p, int seqLen)
{
    Tensor3 layout = setupLayout(p, seqLen);
    for (int h = 0; h < p.numHeads; ++h)
        assign(layout, h, kAll, kAll);
    return layout;
}

} // namespace

std::optional<Tensor3> deepSpeedMakeLayout(const DeepSpeedParams& params, int seqLen)
{
    try {
        if (params.mode == "dense")
            return denseLayout(params, seqLen);
        if (params.mode == "fixed")
            return fixedLayout(params, seqLen);
        if (params.mode == "variable")
            return variableLayout(params, seqLen);
        if (params.mode == "bigbird")
            return bigBirdLayout(params, seqLen);
        if (params.mode == "bslongformer")
            return bsLongformerLayout(params, seqLen);
        if (params.mode == "local")
            return localLayout(params, seqLen);
    } catch (const PyRaise&) {
    }
    return std::nullopt;
}

} // namespace spw::test
