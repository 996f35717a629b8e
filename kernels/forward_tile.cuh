#pragma once
// The per-warp steps of the forward that do not depend on how the two matrix products run (mma.sync per warp, or
// wgmma per warpgroup fed by cp.async stages or by TMA): the online softmax over one key tile's score fragments and
// the epilogue that writes a query tile's rows (or a split tile's partials, merged by the last piece to finish).
//
// A warp owns 16 query rows; a thread holds rows g and g + 8 (g = lane / 4) of its warp, and of each 8-key fragment
// j the columns 8j + 2t, +1 (t = lane % 4): the mma.sync m16n8k16 accumulator layout, which wgmma's matches.
//
// Units: without masks the scores are kept pre-multiplied by scale·log2(e) (one FMA less per score); with masks
// they are kept in natural units (scale·qk + additive mask) and multiplied by log2(e) only after the row maximum
// is subtracted, so that additive masks holding the float minimum do not overflow to -inf.
#include "attention_common.cuh"
#include "block_sparse_attention.h"

#include <cfloat>
#include <cstdint>

namespace spw::kernels::detail {

template <bool kMasked> struct ScoreUnits {
    // Applied to exponents (scores minus the row maximum) before exp2.
    static constexpr float kExpScale = kMasked ? kLog2e : 1.0f;
    // Applied to the raw products q·k.
    __device__ __forceinline__ static float scoreScale(const AttentionParams& p)
    {
        return kMasked ? p.scale : p.scale * kLog2e;
    }
};

// The natural log-sum-exp of a row (what the backward needs to recompute its probabilities) from its maximum score,
// in the kernel's units (natural with masks, log2 without), and its sum of exponentials relative to that maximum;
// -inf for a row that attends nothing.
template <bool kMasked> __device__ __forceinline__ float logSumExpOf(float rowMax, float rowSum)
{
    if (!(rowSum > 0.0f))
        return -INFINITY;
    return kMasked ? rowMax + logf(rowSum) : (rowMax + log2f(rowSum)) * kLn2;
}

// Scales one warp's raw scores of a key tile into the kernel's units and sets the keys its rows do not attend to
// -inf: slices whose bit in `bits` is off, keys past the sequence, and keys the masks exclude (adding additive masks).
// `tileMax` receives the maximum of each of the thread's two rows over its own columns. `firstRow` is the sequence
// index of the thread's row g.
template <bool kMasked, int kNTiles>
__device__ __forceinline__ void scaleAndMaskScores(float (&s)[kNTiles][4], float (&tileMax)[2],
    const AttentionParams& p, std::uint32_t bits, const std::int32_t* sliceKeys, int b, int firstRow, int t)
{
    constexpr int kSlices = kNTiles / 2;
    constexpr std::uint32_t kSliceMask = (1u << kSlices) - 1;
    const float scoreScale = ScoreUnits<kMasked>::scoreScale(p);
    tileMax[0] = tileMax[1] = -INFINITY;
    // Without masks, a tile this warp attends in full needs no per-score test (the lookup table lists only slices
    // inside the sequence).
    if (!kMasked && bits == kSliceMask) {
#pragma unroll
        for (int j = 0; j < kNTiles; ++j)
#pragma unroll
            for (int e = 0; e < 4; ++e) {
                s[j][e] *= scoreScale;
                tileMax[e / 2] = fmaxf(tileMax[e / 2], s[j][e]);
            }
        return;
    }
#pragma unroll
    for (int j = 0; j < kNTiles; ++j) {
        const bool sliceOn = (bits >> (j / 2)) & 1;
        const int sliceKey = sliceKeys[j / 2];
#pragma unroll
        for (int e = 0; e < 4; ++e) {
            const int key = sliceKey + (j % 2) * 8 + 2 * t + (e & 1);
            bool keep = sliceOn && key < p.seqLen;
            float x = s[j][e] * scoreScale;
            if constexpr (kMasked) {
                if (keep && p.keyPaddingKind != MaskKind::None) {
                    const float mk = p.keyPadding[b * p.keyPaddingBatchStride + key];
                    if (p.keyPaddingKind == MaskKind::Add)
                        x += mk;
                    else if (mk == 0.0f)
                        keep = false;
                }
                if (keep && p.attnMaskKind != MaskKind::None) {
                    const std::int64_t at = std::int64_t(firstRow + 8 * (e / 2)) * p.seqLen + key;
                    if (p.attnMaskKind == MaskKind::Add)
                        x += static_cast<const float*>(p.attnMask)[at];
                    else if (static_cast<const std::uint8_t*>(p.attnMask)[at] == 0)
                        keep = false;
                }
            }
            s[j][e] = keep ? x : -INFINITY;
            tileMax[e / 2] = fmaxf(tileMax[e / 2], s[j][e]);
        }
    }
}

// Folds a tile's row maxima (reduced over the row's 4 threads here) into the running ones. `alpha` is the factor
// the earlier sum and output accumulator take (the sum is rescaled here, the accumulator by rescaleRows, which the
// warpgroup pipeline defers until its pending product is done); `base` is what the tile's scores are exponentiated
// against.
template <bool kMasked>
__device__ __forceinline__ void advanceRowMax(
    float (&tileMax)[2], float (&rowMax)[2], float (&rowSum)[2], float (&base)[2], float (&alpha)[2])
{
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        tileMax[r] = fmaxf(tileMax[r], __shfl_xor_sync(0xffffffffu, tileMax[r], 1));
        tileMax[r] = fmaxf(tileMax[r], __shfl_xor_sync(0xffffffffu, tileMax[r], 2));
        const float newMax = fmaxf(rowMax[r], tileMax[r]);
        // A row with nothing kept so far keeps max -inf; subtracting 0 keeps exp2 at 0, not NaN.
        base[r] = newMax == -INFINITY ? 0.0f : newMax;
        alpha[r] = fastExp2((rowMax[r] - base[r]) * ScoreUnits<kMasked>::kExpScale);
        rowMax[r] = newMax;
        rowSum[r] *= alpha[r];
    }
}

// Replaces the scores by their exponentials relative to `base` and adds them to the thread's partial row sums.
template <bool kMasked, int kNTiles>
__device__ __forceinline__ void exponentiateScores(float (&s)[kNTiles][4], const float (&base)[2], float (&rowSum)[2])
{
#pragma unroll
    for (int j = 0; j < kNTiles; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
            const float pr = fastExp2((s[j][e] - base[e / 2]) * ScoreUnits<kMasked>::kExpScale);
            s[j][e] = pr;
            rowSum[e / 2] += pr;
        }
}

template <int kDTiles> __device__ __forceinline__ void rescaleRows(float (&acc)[kDTiles][4], const float (&alpha)[2])
{
#pragma unroll
    for (int d = 0; d < kDTiles; ++d) {
        acc[d][0] *= alpha[0];
        acc[d][1] *= alpha[0];
        acc[d][2] *= alpha[1];
        acc[d][3] *= alpha[1];
    }
}

// The A fragment (16 rows × 16 keys) of key slice `sl` for the P·V product, packed from the probabilities.
template <typename T, int kNTiles>
__device__ __forceinline__ void packProbabilities(const float (&s)[kNTiles][4], int sl, std::uint32_t (&a)[4])
{
    a[0] = Mma<T>::pack(s[2 * sl][0], s[2 * sl][1]);
    a[1] = Mma<T>::pack(s[2 * sl][2], s[2 * sl][3]);
    a[2] = Mma<T>::pack(s[2 * sl + 1][0], s[2 * sl + 1][1]);
    a[3] = Mma<T>::pack(s[2 * sl + 1][2], s[2 * sl + 1][3]);
}

// Merges the fp32 partial results of a split query tile (slots firstSlot.. of its combine group) and writes the
// output rows: O = Σ_s e^(m_s - M) O_s / Σ_s e^(m_s - M) l_s with M = max_s m_s (maxima kept in the kernel's
// units, so that a float-minimum additive mask does not overflow), and the rows' log-sum-exp when asked. Run by the
// CTA that finished the group last; the partials come from other CTAs of this launch, so they are read through L2
// (ld.cg), not a possibly stale L1. Four columns per thread, consecutive threads along a row (coalesced).
template <typename T, int D, int kTileM, int kThreads, bool kMasked>
__device__ __forceinline__ void combineSplitTile(
    const AttentionParams& p, const CombineGroup& group, int b, T* oBase, float* lseBase, int q0)
{
    constexpr int kQuads = D / 4;
    constexpr float kExpScale = ScoreUnits<kMasked>::kExpScale;
    for (int idx = threadIdx.x; idx < kTileM * kQuads; idx += kThreads) {
        const int local = idx / kQuads;
        const int col = idx % kQuads * 4;
        const int row = q0 + local;
        if (row >= p.seqLen)
            continue;
        float maxAll = -INFINITY;
        for (int s = 0; s < group.numSlots; ++s) {
            const std::size_t at = (std::size_t(group.firstSlot + s) * p.batch + b) * kTileM + local;
            maxAll = fmaxf(maxAll, __ldcg(p.partialStats + at * 2));
        }
        float sum = 0.0f;
        float4 value = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        if (maxAll != -INFINITY) {
            for (int s = 0; s < group.numSlots; ++s) {
                const std::size_t at = (std::size_t(group.firstSlot + s) * p.batch + b) * kTileM + local;
                const float weight = exp2f((__ldcg(p.partialStats + at * 2) - maxAll) * kExpScale);
                sum += weight * __ldcg(p.partialStats + at * 2 + 1);
                const float4 o = __ldcg(reinterpret_cast<const float4*>(p.partialOut + at * D + col));
                value.x += weight * o.x;
                value.y += weight * o.y;
                value.z += weight * o.z;
                value.w += weight * o.w;
            }
        }
        // A row that attends nothing (every key excluded) gives zeros, as the engine's CPU path does.
        const float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
        *reinterpret_cast<uint2*>(oBase + std::int64_t(row) * p.outStride[2] + col)
            = make_uint2(Mma<T>::pack(value.x * inv, value.y * inv), Mma<T>::pack(value.z * inv, value.w * inv));
        if (lseBase && col == 0)
            lseBase[row] = logSumExpOf<kMasked>(maxAll, sum);
    }
}

// The end of a CTA's work item, run by every thread: normalises the rows and writes them (staged through this warp's
// own 16 rows of `sStage`, a [kTileM][D] tile no other warp touches by now) with their log-sum-exp when asked; or,
// for a piece of a split query tile, writes unnormalised fp32 partials with their row maximum (kernel units) and sum,
// and the last piece of its (group, batch) to finish merges all of them and writes the output.
template <typename T, int D, int kTileM, int kThreads, bool kMasked>
__device__ __forceinline__ void storeQueryTile(const AttentionParams& p, const WorkItem& work, int b, T* sStage,
    float (&acc)[D / 8][4], const float (&rowMax)[2], float (&rowSum)[2])
{
    constexpr int kDTiles = D / 8;
    constexpr int kChunks = D / 8;
    const int tid = threadIdx.x;
    const int warp = tid / 32;
    const int lane = tid % 32;
    const int t = lane % 4;
    const int local[2] = { warp * 16 + lane / 4, warp * 16 + lane / 4 + 8 };
    const int h = work.head;
    const int q0 = work.queryTile * kTileM;
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        rowSum[r] += __shfl_xor_sync(0xffffffffu, rowSum[r], 1);
        rowSum[r] += __shfl_xor_sync(0xffffffffu, rowSum[r], 2);
    }

    // Rows' log-sum-exp for the backward, when asked: [batch, heads, seqLen].
    float* lseBase = p.logSumExp ? p.logSumExp + (std::size_t(b) * p.heads + h) * p.seqLen : nullptr;
    if (work.partialSlot >= 0) {
        const std::size_t slotBase = (std::size_t(work.partialSlot) * p.batch + b) * kTileM;
#pragma unroll
        for (int r = 0; r < 2; ++r) {
            float* dst = p.partialOut + (slotBase + local[r]) * D;
#pragma unroll
            for (int d = 0; d < kDTiles; ++d)
                *reinterpret_cast<float2*>(dst + d * 8 + 2 * t) = make_float2(acc[d][2 * r], acc[d][2 * r + 1]);
            if (t == 0) {
                float* stats = p.partialStats + (slotBase + local[r]) * 2;
                stats[0] = rowMax[r];
                stats[1] = rowSum[r];
            }
        }
        __shared__ int isLast;
        __threadfence();
        __syncthreads();
        if (tid == 0)
            isLast = atomicAdd(p.combineCounters + std::size_t(work.combineGroup) * p.batch + b, 1)
                == p.lut.combine[work.combineGroup].numSlots - 1;
        __syncthreads();
        if (isLast) {
            __threadfence();
            combineSplitTile<T, D, kTileM, kThreads, kMasked>(p, p.lut.combine[work.combineGroup], b,
                static_cast<T*>(p.out) + b * p.outStride[0] + h * p.outStride[1], lseBase, q0);
        }
        return;
    }

    if (lseBase && t == 0) {
#pragma unroll
        for (int r = 0; r < 2; ++r)
            if (q0 + local[r] < p.seqLen)
                lseBase[q0 + local[r]] = logSumExpOf<kMasked>(rowMax[r], rowSum[r]);
    }
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        // A row that attends nothing (every key excluded) gives zeros, as the engine's CPU path does.
        const float inv = rowSum[r] > 0.0f ? 1.0f / rowSum[r] : 0.0f;
#pragma unroll
        for (int d = 0; d < kDTiles; ++d)
            *reinterpret_cast<std::uint32_t*>(sStage + swizzled<D>(local[r], d) + 2 * t)
                = Mma<T>::pack(acc[d][2 * r] * inv, acc[d][2 * r + 1] * inv);
    }
    __syncwarp();
    T* oBase = static_cast<T*>(p.out) + b * p.outStride[0] + h * p.outStride[1];
    for (int idx = lane; idx < 16 * kChunks; idx += 32) {
        const int row16 = warp * 16 + idx / kChunks;
        const int c = idx % kChunks;
        const int row = q0 + row16;
        if (row < p.seqLen)
            *reinterpret_cast<uint4*>(oBase + std::int64_t(row) * p.outStride[2] + c * 8)
                = *reinterpret_cast<const uint4*>(sStage + swizzled<D>(row16, c));
    }
}

} // namespace spw::kernels::detail
