#pragma once
// The backward kernels of block-sparse attention (block_sparse_backward.h), tensor-core mma.sync m16n8k16 with fp32
// accumulation like the forward (block_sparse_attention.cuh), in three launches:
//   1. row statistics: Δ_i = Σ_d dO_id·O_id and the saved log-sum-exp (−inf, a row attending nothing, becomes +inf so
//      that exp(S − lse) = 0 for all its keys);
//   2. key side: a CTA owns a key tile (4 warps, a 16-key slice each, from anywhere in the sequence) of one
//      (batch, head), keeps the keys' K and V fragments (head dim ≤ 64) and dK, dV accumulators in registers and
//      walks the key table's entries: 64 query rows gathered from four 16-row slices (Q, dO, lse, Δ through 2
//      shared-memory stages). Per slice a warp's keys attend it computes
//      Sᵀ = K·Qᵀ, Pᵀ, dPᵀ = V·dOᵀ, dSᵀ = Pᵀ ⊙ (dPᵀ − Δ), then dV += Pᵀ·dO and dK += dSᵀ·Q;
//   3. query side: a CTA owns the forward's query tile, keeps its Q and dO fragments and dQ accumulator in
//      registers and walks the forward's table (K, V through 2 stages): S, P, dP = dO·Vᵀ, dS, then dQ += dS·K.
// No softmax statistic is reduced along a row here (the saved log-sum-exp normalises), so each 16×16 (rows, slice)
// block is independent: a warp computes one slice at a time and holds 2 score fragments, not 8.
//
// Units: scores and log-sum-exp in natural units, P = exp2((S − lse)·log2 e): S − lse is formed before any scaling
// so that an additive mask holding the float minimum does not overflow.
#include "attention_common.cuh"
#include "block_sparse_backward.h"
#include "block_sparse_launch.h"

#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace spw::kernels::detail {

constexpr int kBackwardStages = 2;
constexpr int kKeyTile = 64; // keys per key-side CTA: keyTileConfig().tileM
constexpr int kKeyWarps = kKeyTile / 16;

template <typename T> __device__ __forceinline__ float dot8(uint4 a, uint4 b)
{
    const std::uint32_t av[4] = { a.x, a.y, a.z, a.w };
    const std::uint32_t bv[4] = { b.x, b.y, b.z, b.w };
    float sum = 0.0f;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const float2 x = Mma<T>::unpack(av[i]);
        const float2 y = Mma<T>::unpack(bv[i]);
        sum = fmaf(x.x, y.x, sum);
        sum = fmaf(x.y, y.y, sum);
    }
    return sum;
}

// D/8 threads per row, 16 bytes of O and dO each.
template <typename T, int D> __global__ void __launch_bounds__(256) backwardRowStatsKernel(const BackwardLaunch bl)
{
    constexpr int kThreadsPerRow = D / 8;
    constexpr int kRowsPerBlock = 256 / kThreadsPerRow;
    const AttentionParams& p = bl.p.forward;
    const std::int64_t rows = std::int64_t(p.batch) * p.heads * p.seqLen;
    const std::int64_t row = std::int64_t(blockIdx.x) * kRowsPerBlock + threadIdx.x / kThreadsPerRow;
    const int chunk = threadIdx.x % kThreadsPerRow;
    float sum = 0.0f;
    if (row < rows) {
        const std::int64_t i = row % p.seqLen;
        const std::int64_t h = row / p.seqLen % p.heads;
        const std::int64_t b = row / p.seqLen / p.heads;
        const T* o = static_cast<const T*>(p.out) + b * p.outStride[0] + h * p.outStride[1] + i * p.outStride[2];
        const T* g = static_cast<const T*>(bl.p.gradOut) + b * bl.p.gradOutStride[0] + h * bl.p.gradOutStride[1]
            + i * bl.p.gradOutStride[2];
        sum = dot8<T>(*reinterpret_cast<const uint4*>(o + chunk * 8), *reinterpret_cast<const uint4*>(g + chunk * 8));
    }
#pragma unroll
    for (int offset = kThreadsPerRow / 2; offset > 0; offset /= 2)
        sum += __shfl_xor_sync(0xffffffffu, sum, offset);
    if (row < rows && chunk == 0) {
        bl.delta[row] = sum;
        const float lse = bl.p.logSumExp[row];
        bl.lse[row] = lse == -INFINITY ? INFINITY : lse;
    }
}

// P and dS of one 16×16 block from its scores and dO·Vᵀ, in place. `query(e, j)` / `key(e, j)`: the sequence
// positions of fragment element (j, e); `lse(e, j)` / `delta(e, j)`: the query row's statistics; `padAdd(e, j)` /
// `padKeep(e, j)`: the key padding of the element's key (the two sides hold rows and columns differently).
template <bool kMasked, typename Query, typename Key, typename Lse, typename Delta, typename Pad, typename Keep>
__device__ __forceinline__ void probabilitiesAndScoreGrads(const AttentionParams& p, float (&s)[2][4],
    float (&dp)[2][4], Query query, Key key, Lse lse, Delta delta, Pad padAdd, Keep padKeep)
{
#pragma unroll
    for (int j = 0; j < 2; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
            float x = s[j][e] * p.scale;
            bool keep = true;
            if constexpr (kMasked) {
                // The forward's order of additions, so that S rounds as it did there.
                x += padAdd(e, j);
                keep = padKeep(e, j);
                if (keep && p.attnMaskKind != MaskKind::None) {
                    const std::int64_t at = std::int64_t(query(e, j)) * p.seqLen + key(e, j);
                    if (p.attnMaskKind == MaskKind::Add)
                        x += static_cast<const float*>(p.attnMask)[at];
                    else if (static_cast<const std::uint8_t*>(p.attnMask)[at] == 0)
                        keep = false;
                }
            }
            const float pr = keep ? fastExp2((x - lse(e, j)) * kLog2e) : 0.0f;
            s[j][e] = pr;
            dp[j][e] = pr * (dp[j][e] - delta(e, j));
        }
}

template <typename T> __device__ __forceinline__ void packFragment(std::uint32_t (&a)[4], const float (&x)[2][4])
{
    a[0] = Mma<T>::pack(x[0][0], x[0][1]);
    a[1] = Mma<T>::pack(x[0][2], x[0][3]);
    a[2] = Mma<T>::pack(x[1][0], x[1][1]);
    a[3] = Mma<T>::pack(x[1][2], x[1][3]);
}

// Adds the fp32 partial sums of a split tile's slots in slot order (so that the sum does not depend on which CTA
// finished when) and writes kRows × kCols: tile row l goes to sequence row rowOf(l), its column c < D to dst0, the
// rest to dst1 (the key side keeps dK and dV of a row side by side), times scale0 / scale1. Read through L2 (ld.cg):
// other CTAs of this launch wrote the partials.
template <typename T, int D, int kRows, int kCols, int kThreads, typename RowOf>
__device__ __forceinline__ void addPartialSlots(const float* partials, const CombineGroup& group, int batch, int b,
    RowOf rowOf, int seqLen, T* dst0, std::int64_t stride0, float scale0, T* dst1, std::int64_t stride1, float scale1)
{
    constexpr int kQuads = kCols / 4;
    for (int idx = threadIdx.x; idx < kRows * kQuads; idx += kThreads) {
        const int local = idx / kQuads;
        const int col = idx % kQuads * 4;
        const int row = rowOf(local);
        if (row >= seqLen)
            continue;
        float4 sum = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        for (int s = 0; s < group.numSlots; ++s) {
            const std::size_t at = (std::size_t(group.firstSlot + s) * batch + b) * kRows + local;
            const float4 v = __ldcg(reinterpret_cast<const float4*>(partials + at * kCols + col));
            sum.x += v.x;
            sum.y += v.y;
            sum.z += v.z;
            sum.w += v.w;
        }
        const bool toFirst = col < D;
        const float scale = toFirst ? scale0 : scale1;
        T* dst = toFirst ? dst0 + std::int64_t(row) * stride0 + col : dst1 + std::int64_t(row) * stride1 + col - D;
        *reinterpret_cast<uint2*>(dst)
            = make_uint2(Mma<T>::pack(sum.x * scale, sum.y * scale), Mma<T>::pack(sum.z * scale, sum.w * scale));
    }
}

// Publishes this CTA's partial sums and tells whether it is the last of its (combine group, batch) to finish.
__device__ __forceinline__ bool lastOfGroup(int* counter, int numSlots)
{
    __shared__ int isLast;
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0)
        isLast = atomicAdd(counter, 1) == numSlots - 1;
    __syncthreads();
    if (isLast)
        __threadfence();
    return isLast;
}

// Writes a warp's 16 rows of a [rows][D] fp32 accumulator (times scale) to rows warpRow.. of dst, through the warp's
// own rows of a shared tile, as 16-byte row stores; rows past seqLen are dropped.
template <typename T, int D>
__device__ __forceinline__ void storeWarpRows(const float (&acc)[D / 8][4], float scale, T* stage, int warp, int lane,
    T* dst, std::int64_t rowStride, int warpRow, int seqLen)
{
    constexpr int kChunks = D / 8;
    const int g = lane / 4;
    const int t = lane % 4;
#pragma unroll
    for (int r = 0; r < 2; ++r)
#pragma unroll
        for (int d = 0; d < kChunks; ++d)
            *reinterpret_cast<std::uint32_t*>(stage + swizzled<D>(warp * 16 + g + 8 * r, d) + 2 * t)
                = Mma<T>::pack(acc[d][2 * r] * scale, acc[d][2 * r + 1] * scale);
    __syncwarp();
    for (int idx = lane; idx < 16 * kChunks; idx += 32) {
        const int row16 = warp * 16 + idx / kChunks;
        const int c = idx % kChunks;
        const int row = warpRow + idx / kChunks;
        if (row < seqLen)
            *reinterpret_cast<uint4*>(dst + std::int64_t(row) * rowStride + c * 8)
                = *reinterpret_cast<const uint4*>(stage + swizzled<D>(row16, c));
    }
}

// Up to head dim 64 a warp keeps its keys' K and V fragments in registers; at 128 they would not fit beside the dK
// and dV accumulators (ptxas spilled ~250 bytes) and are read from shared memory at each use instead.
template <int D> constexpr bool kKeyFragmentsInRegisters = D <= 64;

template <typename T, int D, bool kMasked>
__global__ void __launch_bounds__(kKeyWarps * 32, 2) keyValueGradKernel(const BackwardLaunch bl)
{
    constexpr int kThreads = kKeyWarps * 32;
    constexpr int kChunks = D / 8;
    constexpr int kSlices = kTileN / 16;
    constexpr std::uint32_t kSliceMask = (1u << kSlices) - 1;
    constexpr int kDTiles = D / 8;
    constexpr int kKSteps = D / 16;
    const AttentionParams& p = bl.p.forward;
    const DeviceLut& lut = bl.p.keyLut;

    const int batch = p.batch;
    const int b = blockIdx.x % batch;
    const WorkItem work = lut.work[blockIdx.x / batch];
    const int h = work.head;
    const int seqLen = p.seqLen;
    // This CTA's keys: four 16-key slices from anywhere in the sequence (the key table's row group), one per warp;
    // seqLen marks a slot without keys.
    const std::int32_t* keySlices = lut.rowSlices + std::size_t(work.queryTile) * kKeyWarps;
    const T* qBase = static_cast<const T*>(p.q) + b * p.qStride[0] + h * p.qStride[1];
    const T* kBase = static_cast<const T*>(p.k) + b * p.kStride[0] + h * p.kStride[1];
    const T* vBase = static_cast<const T*>(p.v) + b * p.vStride[0] + h * p.vStride[1];
    const T* gBase = static_cast<const T*>(bl.p.gradOut) + b * bl.p.gradOutStride[0] + h * bl.p.gradOutStride[1];
    const std::size_t rowBase = (std::size_t(b) * p.heads + h) * seqLen;

    extern __shared__ uint4 smemRaw[];
    T* sK = reinterpret_cast<T*>(smemRaw);
    T* sV = sK + kKeyTile * D;
    T* sQ = sV + kKeyTile * D;
    T* sG = sQ + kBackwardStages * kTileN * D;
    float* sLse = reinterpret_cast<float*>(sG + kBackwardStages * kTileN * D);
    float* sDelta = sLse + kBackwardStages * kTileN;

    const int tid = threadIdx.x;
    const int warp = tid / 32;
    const int lane = tid % 32;
    const int count = work.end - work.begin;

    for (int idx = tid; idx < kKeyTile * kChunks; idx += kThreads) {
        const int r = idx / kChunks;
        const int c = idx % kChunks;
        const std::int64_t key = keySlices[r / 16] + r % 16;
        const bool valid = key < seqLen;
        cpAsync16(sK + swizzled<D>(r, c), valid ? kBase + key * p.kStride[2] + c * 8 : kBase, valid);
        cpAsync16(sV + swizzled<D>(r, c), valid ? vBase + key * p.vStride[2] + c * 8 : vBase, valid);
    }
    auto loadQueryRows = [&](int entry, int stage) {
        const std::int32_t* sliceRows = lut.sliceKeys + std::size_t(entry) * kSlices;
        T* dstQ = sQ + stage * kTileN * D;
        T* dstG = sG + stage * kTileN * D;
#pragma unroll
        for (int idx = tid; idx < kTileN * kChunks; idx += kThreads) {
            const int r = idx / kChunks;
            const int c = idx % kChunks;
            const std::int64_t row = sliceRows[r / 16] + r % 16;
            const bool valid = row < seqLen;
            cpAsync16(dstQ + swizzled<D>(r, c), valid ? qBase + row * p.qStride[2] + c * 8 : qBase, valid);
            cpAsync16(dstG + swizzled<D>(r, c), valid ? gBase + row * bl.p.gradOutStride[2] + c * 8 : gBase, valid);
        }
        // The rows' statistics: 2 arrays × 4 slices × 4 chunks of 4 floats.
        if (tid < 2 * kTileN / 4) {
            const int slot = tid % 16 / 4;
            const int chunk = tid % 4;
            const float* src = (tid < 16 ? bl.lse : bl.delta) + rowBase + sliceRows[slot] + chunk * 4;
            float* dst = (tid < 16 ? sLse : sDelta) + stage * kTileN + slot * 16 + chunk * 4;
            cpAsync16(dst, src, sliceRows[slot] < seqLen);
        }
    };
    // Commit group s holds entry s (group 0 also the K/V tile).
#pragma unroll
    for (int s = 0; s < kBackwardStages - 1; ++s) {
        if (s < count)
            loadQueryRows(work.begin + s, s);
        cpAsyncCommit();
    }

    const int g = lane / 4;
    const int t = lane % 4;
    // This thread holds key rows warp·16 + g and warp·16 + g + 8 of the tile: keys warpKey + g and warpKey + g + 8.
    const int keyLocal[2] = { warp * 16 + g, warp * 16 + g + 8 };
    const int warpKey = keySlices[warp];
    // Key padding depends on the key alone: this thread's two keys, read once.
    float padAdd[2] = { 0.0f, 0.0f };
    bool padKeep[2] = { true, true };
    if constexpr (kMasked) {
        if (p.keyPaddingKind != MaskKind::None) {
#pragma unroll
            for (int r = 0; r < 2; ++r) {
                const int key = warpKey + g + 8 * r;
                if (key >= seqLen)
                    continue;
                const float mk = p.keyPadding[b * p.keyPaddingBatchStride + key];
                if (p.keyPaddingKind == MaskKind::Add)
                    padAdd[r] = mk;
                else
                    padKeep[r] = mk != 0.0f;
            }
        }
    }

    float dK[kDTiles][4];
    float dV[kDTiles][4];
#pragma unroll
    for (int d = 0; d < kDTiles; ++d)
#pragma unroll
        for (int e = 0; e < 4; ++e)
            dK[d][e] = dV[d][e] = 0.0f;
    constexpr bool kCached = kKeyFragmentsInRegisters<D>;
    std::uint32_t kFrag[kCached ? kKSteps : 1][4];
    std::uint32_t vFrag[kCached ? kKSteps : 1][4];
    const int ownRow = warp * 16 + lane % 16;

    for (int i = 0; i < count; ++i) {
        const int entry = work.begin + i;
        // The stage entry i + 1 goes to was last read in iteration i - 1, finished by its closing barrier.
        if (i + kBackwardStages - 1 < count)
            loadQueryRows(entry + kBackwardStages - 1, (i + kBackwardStages - 1) % kBackwardStages);
        cpAsyncCommit();
        cpAsyncWait<kBackwardStages - 1>();
        __syncthreads();
        if (kCached && i == 0) {
#pragma unroll
            for (int kk = 0; kk < (kCached ? kKSteps : 0); ++kk) {
                ldmatrixX4(kFrag[kk], sK + swizzled<D>(ownRow, kk * 2 + lane / 16));
                ldmatrixX4(vFrag[kk], sV + swizzled<D>(ownRow, kk * 2 + lane / 16));
            }
        }
        const std::uint32_t bits = (lut.bits[entry] >> (warp * kSlices)) & kSliceMask;
        if (bits) {
            const int stage = i % kBackwardStages;
            const T* tQ = sQ + stage * kTileN * D;
            const T* tG = sG + stage * kTileN * D;
            const float* tLse = sLse + stage * kTileN;
            const float* tDelta = sDelta + stage * kTileN;
            const std::int32_t* sliceRows = lut.sliceKeys + std::size_t(entry) * kSlices;
#pragma unroll
            for (int sl = 0; sl < kSlices; ++sl) {
                if (!((bits >> sl) & 1))
                    continue;
                // Sᵀ = K·Qᵀ and dPᵀ = V·dOᵀ over this slice's 16 query rows: rows are keys, columns queries.
                float s[2][4] = {};
                float dp[2][4] = {};
#pragma unroll
                for (int kk = 0; kk < kKSteps; ++kk) {
                    std::uint32_t kA[4];
                    std::uint32_t vA[4];
                    if constexpr (kCached) {
#pragma unroll
                        for (int x = 0; x < 4; ++x) {
                            kA[x] = kFrag[kk][x];
                            vA[x] = vFrag[kk][x];
                        }
                    } else {
                        ldmatrixX4(kA, sK + swizzled<D>(ownRow, kk * 2 + lane / 16));
                        ldmatrixX4(vA, sV + swizzled<D>(ownRow, kk * 2 + lane / 16));
                    }
                    std::uint32_t frag[4];
                    const int row = sl * 16 + lane % 8 + (lane / 16) * 8;
                    ldmatrixX4(frag, tQ + swizzled<D>(row, kk * 2 + (lane / 8) % 2));
                    Mma<T>::run(s[0], kA, frag[0], frag[1]);
                    Mma<T>::run(s[1], kA, frag[2], frag[3]);
                    ldmatrixX4(frag, tG + swizzled<D>(row, kk * 2 + (lane / 8) % 2));
                    Mma<T>::run(dp[0], vA, frag[0], frag[1]);
                    Mma<T>::run(dp[1], vA, frag[2], frag[3]);
                }
                const int sliceRow = sliceRows[sl];
                // Element (j, e): key row keyLocal[e / 2], query column sl·16 + 8j + 2t + (e & 1).
                auto column = [&](int e, int j) { return sl * 16 + 8 * j + 2 * t + (e & 1); };
                probabilitiesAndScoreGrads<kMasked>(
                    p, s, dp, [&](int e, int j) { return sliceRow + 8 * j + 2 * t + (e & 1); },
                    [&](int e, int) { return warpKey + g + 8 * (e / 2); },
                    [&](int e, int j) { return tLse[column(e, j)]; },
                    [&](int e, int j) { return tDelta[column(e, j)]; }, [&](int e, int) { return padAdd[e / 2]; },
                    [&](int e, int) { return padKeep[e / 2]; });
                std::uint32_t pa[4];
                std::uint32_t da[4];
                packFragment<T>(pa, s);
                packFragment<T>(da, dp);
                // dV += Pᵀ·dO and dK += dSᵀ·Q over the slice's rows.
#pragma unroll
                for (int dt = 0; dt < kDTiles; dt += 2) {
                    std::uint32_t frag[4];
                    const int row = sl * 16 + lane % 8 + ((lane / 8) % 2) * 8;
                    ldmatrixX4Trans(frag, tG + swizzled<D>(row, dt + lane / 16));
                    Mma<T>::run(dV[dt], pa, frag[0], frag[1]);
                    Mma<T>::run(dV[dt + 1], pa, frag[2], frag[3]);
                    ldmatrixX4Trans(frag, tQ + swizzled<D>(row, dt + lane / 16));
                    Mma<T>::run(dK[dt], da, frag[0], frag[1]);
                    Mma<T>::run(dK[dt + 1], da, frag[2], frag[3]);
                }
            }
        }
        __syncthreads();
    }
    // A key tile no query attends skipped the loop's barriers: the K/V copies must land before their rows are reused
    // as the output staging area below.
    cpAsyncWait<0>();
    __syncthreads();

    if (work.partialSlot >= 0) {
        // A piece of a split key tile (a global column): fp32 partial dK, dV side by side per key row.
        const std::size_t slotBase = (std::size_t(work.partialSlot) * batch + b) * kKeyTile;
#pragma unroll
        for (int r = 0; r < 2; ++r) {
            float* dst = bl.partialKeyValue + (slotBase + keyLocal[r]) * 2 * D;
#pragma unroll
            for (int d = 0; d < kDTiles; ++d) {
                *reinterpret_cast<float2*>(dst + d * 8 + 2 * t) = make_float2(dK[d][2 * r], dK[d][2 * r + 1]);
                *reinterpret_cast<float2*>(dst + D + d * 8 + 2 * t) = make_float2(dV[d][2 * r], dV[d][2 * r + 1]);
            }
        }
        const CombineGroup& group = lut.combine[work.combineGroup];
        if (lastOfGroup(bl.keyValueCounters + std::size_t(work.combineGroup) * batch + b, group.numSlots))
            addPartialSlots<T, D, kKeyTile, 2 * D, kThreads>(
                bl.partialKeyValue, group, batch, b, [&](int local) { return keySlices[local / 16] + local % 16; },
                seqLen, static_cast<T*>(bl.p.gradKey) + b * bl.p.gradKeyStride[0] + h * bl.p.gradKeyStride[1],
                bl.p.gradKeyStride[2], p.scale,
                static_cast<T*>(bl.p.gradValue) + b * bl.p.gradValueStride[0] + h * bl.p.gradValueStride[1],
                bl.p.gradValueStride[2], 1.0f);
        return;
    }
    storeWarpRows<T, D>(dK, p.scale, sK, warp, lane,
        static_cast<T*>(bl.p.gradKey) + b * bl.p.gradKeyStride[0] + h * bl.p.gradKeyStride[1], bl.p.gradKeyStride[2],
        warpKey, seqLen);
    storeWarpRows<T, D>(dV, 1.0f, sV, warp, lane,
        static_cast<T*>(bl.p.gradValue) + b * bl.p.gradValueStride[0] + h * bl.p.gradValueStride[1],
        bl.p.gradValueStride[2], warpKey, seqLen);
}

template <typename T, int D, int kWarps, bool kMasked>
__global__ void __launch_bounds__(kWarps * 32, 2) queryGradKernel(const BackwardLaunch bl)
{
    constexpr int kTileM = kWarps * 16;
    constexpr int kThreads = kWarps * 32;
    constexpr int kChunks = D / 8;
    constexpr int kSlices = kTileN / 16;
    constexpr std::uint32_t kSliceMask = (1u << kSlices) - 1;
    constexpr int kDTiles = D / 8;
    constexpr int kKSteps = D / 16;
    const AttentionParams& p = bl.p.forward;

    const int batch = p.batch;
    const int b = blockIdx.x % batch;
    const WorkItem work = p.lut.work[blockIdx.x / batch];
    const int h = work.head;
    const int seqLen = p.seqLen;
    const int q0 = work.queryTile * kTileM;
    const T* qBase = static_cast<const T*>(p.q) + b * p.qStride[0] + h * p.qStride[1];
    const T* kBase = static_cast<const T*>(p.k) + b * p.kStride[0] + h * p.kStride[1];
    const T* vBase = static_cast<const T*>(p.v) + b * p.vStride[0] + h * p.vStride[1];
    const T* gBase = static_cast<const T*>(bl.p.gradOut) + b * bl.p.gradOutStride[0] + h * bl.p.gradOutStride[1];
    const std::size_t rowBase = (std::size_t(b) * p.heads + h) * seqLen;

    extern __shared__ uint4 smemRaw[];
    T* sQ = reinterpret_cast<T*>(smemRaw);
    T* sG = sQ + kTileM * D;
    T* sK = sG + kTileM * D;
    T* sV = sK + kBackwardStages * kTileN * D;

    const int tid = threadIdx.x;
    const int warp = tid / 32;
    const int lane = tid % 32;
    const int count = work.end - work.begin;

    for (int idx = tid; idx < kTileM * kChunks; idx += kThreads) {
        const int r = idx / kChunks;
        const int c = idx % kChunks;
        const bool valid = q0 + r < seqLen;
        const std::int64_t row = q0 + r;
        cpAsync16(sQ + swizzled<D>(r, c), valid ? qBase + row * p.qStride[2] + c * 8 : qBase, valid);
        cpAsync16(sG + swizzled<D>(r, c), valid ? gBase + row * bl.p.gradOutStride[2] + c * 8 : gBase, valid);
    }
    auto loadKeyTile = [&](int entry, int stage) {
        const std::int32_t* sliceKeys = p.lut.sliceKeys + std::size_t(entry) * kSlices;
        T* dstK = sK + stage * kTileN * D;
        T* dstV = sV + stage * kTileN * D;
#pragma unroll
        for (int idx = tid; idx < kTileN * kChunks; idx += kThreads) {
            const int r = idx / kChunks;
            const int c = idx % kChunks;
            const std::int64_t key = sliceKeys[r / 16] + r % 16;
            const bool valid = key < seqLen;
            cpAsync16(dstK + swizzled<D>(r, c), valid ? kBase + key * p.kStride[2] + c * 8 : kBase, valid);
            cpAsync16(dstV + swizzled<D>(r, c), valid ? vBase + key * p.vStride[2] + c * 8 : vBase, valid);
        }
    };
#pragma unroll
    for (int s = 0; s < kBackwardStages - 1; ++s) {
        if (s < count)
            loadKeyTile(work.begin + s, s);
        cpAsyncCommit();
    }

    const int g = lane / 4;
    const int t = lane % 4;
    const int local[2] = { warp * 16 + g, warp * 16 + g + 8 };
    float lse[2];
    float delta[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        const bool inside = q0 + local[r] < seqLen;
        lse[r] = inside ? bl.lse[rowBase + q0 + local[r]] : INFINITY;
        delta[r] = inside ? bl.delta[rowBase + q0 + local[r]] : 0.0f;
    }

    float acc[kDTiles][4];
#pragma unroll
    for (int d = 0; d < kDTiles; ++d)
        acc[d][0] = acc[d][1] = acc[d][2] = acc[d][3] = 0.0f;
    std::uint32_t qFrag[kKSteps][4];
    std::uint32_t gFrag[kKSteps][4];

    for (int i = 0; i < count; ++i) {
        const int entry = work.begin + i;
        if (i + kBackwardStages - 1 < count)
            loadKeyTile(entry + kBackwardStages - 1, (i + kBackwardStages - 1) % kBackwardStages);
        cpAsyncCommit();
        cpAsyncWait<kBackwardStages - 1>();
        __syncthreads();
        if (i == 0) {
#pragma unroll
            for (int kk = 0; kk < kKSteps; ++kk) {
                ldmatrixX4(qFrag[kk], sQ + swizzled<D>(warp * 16 + lane % 16, kk * 2 + lane / 16));
                ldmatrixX4(gFrag[kk], sG + swizzled<D>(warp * 16 + lane % 16, kk * 2 + lane / 16));
            }
        }
        const std::uint32_t bits = (p.lut.bits[entry] >> (warp * kSlices)) & kSliceMask;
        if (bits) {
            const int stage = i % kBackwardStages;
            const T* tK = sK + stage * kTileN * D;
            const T* tV = sV + stage * kTileN * D;
            const std::int32_t* sliceKeys = p.lut.sliceKeys + std::size_t(entry) * kSlices;
#pragma unroll
            for (int sl = 0; sl < kSlices; ++sl) {
                if (!((bits >> sl) & 1))
                    continue;
                // S = Q·Kᵀ and dP = dO·Vᵀ over this slice's 16 keys.
                float s[2][4] = {};
                float dp[2][4] = {};
#pragma unroll
                for (int kk = 0; kk < kKSteps; ++kk) {
                    std::uint32_t frag[4];
                    const int row = sl * 16 + lane % 8 + (lane / 16) * 8;
                    ldmatrixX4(frag, tK + swizzled<D>(row, kk * 2 + (lane / 8) % 2));
                    Mma<T>::run(s[0], qFrag[kk], frag[0], frag[1]);
                    Mma<T>::run(s[1], qFrag[kk], frag[2], frag[3]);
                    ldmatrixX4(frag, tV + swizzled<D>(row, kk * 2 + (lane / 8) % 2));
                    Mma<T>::run(dp[0], gFrag[kk], frag[0], frag[1]);
                    Mma<T>::run(dp[1], gFrag[kk], frag[2], frag[3]);
                }
                const int sliceKey = sliceKeys[sl];
                // Element (j, e): query row local[e / 2], key sliceKey + 8j + 2t + (e & 1).
                auto key = [&](int e, int j) { return sliceKey + 8 * j + 2 * t + (e & 1); };
                auto padAdd = [&](int e, int j) {
                    return p.keyPaddingKind == MaskKind::Add ? p.keyPadding[b * p.keyPaddingBatchStride + key(e, j)]
                                                             : 0.0f;
                };
                auto padKeep = [&](int e, int j) {
                    return p.keyPaddingKind != MaskKind::Mul
                        || p.keyPadding[b * p.keyPaddingBatchStride + key(e, j)] != 0.0f;
                };
                probabilitiesAndScoreGrads<kMasked>(
                    p, s, dp, [&](int e, int) { return q0 + local[e / 2]; }, key,
                    [&](int e, int) { return lse[e / 2]; }, [&](int e, int) { return delta[e / 2]; }, padAdd, padKeep);
                std::uint32_t da[4];
                packFragment<T>(da, dp);
                // dQ += dS·K over the slice's keys.
#pragma unroll
                for (int dt = 0; dt < kDTiles; dt += 2) {
                    std::uint32_t frag[4];
                    ldmatrixX4Trans(frag, tK + swizzled<D>(sl * 16 + lane % 8 + ((lane / 8) % 2) * 8, dt + lane / 16));
                    Mma<T>::run(acc[dt], da, frag[0], frag[1]);
                    Mma<T>::run(acc[dt + 1], da, frag[2], frag[3]);
                }
            }
        }
        __syncthreads();
    }
    // A query tile with no key tiles skipped the loop's barriers: the Q/dO copies must land before their rows are
    // reused as the output staging area below.
    cpAsyncWait<0>();
    __syncthreads();

    T* dqBase = static_cast<T*>(bl.p.gradQuery) + b * bl.p.gradQueryStride[0] + h * bl.p.gradQueryStride[1];
    if (work.partialSlot >= 0) {
        const std::size_t slotBase = (std::size_t(work.partialSlot) * batch + b) * kTileM;
#pragma unroll
        for (int r = 0; r < 2; ++r) {
            float* dst = bl.partialQuery + (slotBase + local[r]) * D;
#pragma unroll
            for (int d = 0; d < kDTiles; ++d)
                *reinterpret_cast<float2*>(dst + d * 8 + 2 * t) = make_float2(acc[d][2 * r], acc[d][2 * r + 1]);
        }
        const CombineGroup& group = p.lut.combine[work.combineGroup];
        if (lastOfGroup(bl.queryCounters + std::size_t(work.combineGroup) * batch + b, group.numSlots))
            addPartialSlots<T, D, kTileM, D, kThreads>(
                bl.partialQuery, group, batch, b, [&](int local) { return q0 + local; }, seqLen, dqBase,
                bl.p.gradQueryStride[2], p.scale, dqBase, bl.p.gradQueryStride[2], p.scale);
        return;
    }
    storeWarpRows<T, D>(acc, p.scale, sQ, warp, lane, dqBase, bl.p.gradQueryStride[2], q0 + warp * 16, seqLen);
}

template <typename Kernel>
std::string launchKernel(Kernel kernel, long long blocks, int threads, int smemBytes, cudaStream_t stream,
    std::atomic<std::uint64_t>& limitRaised, const BackwardLaunch& bl, const char* what)
{
    if (blocks <= 0)
        return {};
    if (smemBytes > 48 * 1024) {
        const cudaError_t status = raiseSharedMemoryLimitOnce(kernel, smemBytes, limitRaised);
        if (status != cudaSuccess)
            return std::string("block-sparse attention backward: cannot set shared memory size: ")
                + cudaGetErrorString(status);
    }
    kernel<<<static_cast<unsigned>(blocks), threads, smemBytes, stream>>>(bl);
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        return std::string("block-sparse attention backward: ") + what
            + " launch failed: " + cudaGetErrorString(status);
    return {};
}

template <typename T, int D, bool kMasked> std::string launchBackwardKernels(const BackwardLaunch& bl)
{
    const AttentionParams& p = bl.p.forward;
    const cudaStream_t stream = p.stream;
    constexpr int kRowsPerBlock = 256 / (D / 8);
    const long long rows = static_cast<long long>(p.batch) * p.heads * p.seqLen;
    static std::atomic<std::uint64_t> statsLimit { 0 };
    std::string error = launchKernel(backwardRowStatsKernel<T, D>, (rows + kRowsPerBlock - 1) / kRowsPerBlock, 256, 0,
        stream, statsLimit, bl, "row statistics");
    if (!error.empty())
        return error;

    constexpr int keySmem = (2 * kKeyTile + 2 * kBackwardStages * kTileN) * D * int(sizeof(T))
        + 2 * kBackwardStages * kTileN * int(sizeof(float));
    static std::atomic<std::uint64_t> keyLimit { 0 };
    error = launchKernel(keyValueGradKernel<T, D, kMasked>, static_cast<long long>(bl.p.keyLut.numWork) * p.batch,
        kKeyWarps * 32, keySmem, stream, keyLimit, bl, "key/value gradient");
    if (!error.empty())
        return error;

    // The forward's query tile (tileConfigFor): 64 rows at head dim 128, else 128.
    constexpr int kWarps = D == 128 ? 4 : 8;
    constexpr int querySmem = (2 * kWarps * 16 + 2 * kBackwardStages * kTileN) * D * int(sizeof(T));
    static std::atomic<std::uint64_t> queryLimit { 0 };
    return launchKernel(queryGradKernel<T, D, kWarps, kMasked>, static_cast<long long>(p.lut.numWork) * p.batch,
        kWarps * 32, querySmem, stream, queryLimit, bl, "query gradient");
}

template <DType kDType, int D> std::string launchBackward(const BackwardLaunch& bl)
{
    using T = typename DTypeOf<kDType>::type;
    const AttentionParams& p = bl.p.forward;
    const bool masked = p.keyPaddingKind != MaskKind::None || p.attnMaskKind != MaskKind::None;
    return masked ? launchBackwardKernels<T, D, true>(bl) : launchBackwardKernels<T, D, false>(bl);
}

} // namespace spw::kernels::detail
