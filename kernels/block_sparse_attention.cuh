#pragma once
// The fused block-sparse attention forward kernel (FlashAttention-2 style, tensor-core mma.sync m16n8k16):
// a CTA owns one query tile of one (batch, head); each warp owns 16 of its rows and keeps their output
// accumulator, running row maximum and row sum in registers. Key/value tiles stream through 2 or 3 shared-memory
// stages with cp.async (1 or 2 tiles in flight while one is computed). The tile's layout bits tell each warp which
// 16-key slices its rows attend: the others skip both matrix products and count as excluded in the softmax.
// On Hopper the same kernel can run its two products as wgmma per warpgroup instead (kWgmma, FlashAttention-3's
// instructions without its warp-specialised pipeline): see the kernel's comment.
//
// Units: without masks the scores are kept pre-multiplied by scale·log2(e) (one FMA less per score); with masks
// they are kept in natural units (scale·qk + additive mask) and multiplied by log2(e) only after the row maximum
// is subtracted, so that additive masks holding the float minimum do not overflow to -inf.
#include "attention_common.cuh"
#include "block_sparse_attention.h"
#include "block_sparse_launch.h"
#include "wgmma_helpers.cuh"

#include <cuda_runtime.h>

#include <atomic>
#include <cfloat>
#include <cstdint>
#include <string>

namespace spw::kernels::detail {

// The natural log-sum-exp of a row (what the backward needs to recompute its probabilities) from its maximum score,
// in the kernel's units (natural with masks, log2 without), and its sum of exponentials relative to that maximum;
// -inf for a row that attends nothing.
template <bool kMasked> __device__ __forceinline__ float logSumExpOf(float rowMax, float rowSum)
{
    if (!(rowSum > 0.0f))
        return -INFINITY;
    return kMasked ? rowMax + logf(rowSum) : (rowMax + log2f(rowSum)) * kLn2;
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
    constexpr float kExpScale = kMasked ? kLog2e : 1.0f;
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

// Element offset of (row, 16-byte chunk) in a K or V stage: the warpgroup path's tiles are in the layout its matrix
// descriptors describe, the warp path's in the ldmatrix swizzle.
template <int D, bool kWgmma> __device__ __forceinline__ int keyTileOffset(int row, int chunk)
{
    if constexpr (kWgmma)
        return wgmmaTileOffset<kTileN>(row, chunk);
    else
        return swizzled<D>(row, chunk);
}

// kWarps warps of 16 query rows each (tileM = 16·kWarps); kStages shared-memory stages for K/V tiles, i.e. up to
// kStages - 1 key tiles in flight while one is computed. kWgmma: the two matrix products run as wgmma (sm_90a) per
// warpgroup of 4 warps, 64 rows × the whole key tile, instead of mma.sync per warp and 16-key slice; a warp's slices
// its rows do not attend are then computed and masked out, and only a key tile none of the warpgroup's rows attend is
// skipped. The softmax and everything around the products are shared.
template <typename T, int D, int kWarps, int kStages, bool kMasked, bool kWgmma>
__global__ void __launch_bounds__(kWarps * 32, 2) blockSparseForwardKernel(const AttentionParams p)
{
    constexpr int kTileM = kWarps * 16;
    constexpr int kThreads = kWarps * 32;
    constexpr int kChunks = D / 8;
    constexpr int kSlices = kTileN / 16;
    constexpr std::uint32_t kSliceMask = (1u << kSlices) - 1;
    constexpr int kNTiles = kTileN / 8;
    constexpr int kDTiles = D / 8;
    constexpr int kKSteps = D / 16;
    constexpr float kExpScale = kMasked ? kLog2e : 1.0f;
    const float scoreScale = kMasked ? p.scale : p.scale * kLog2e;

    const int batch = p.batch;
    const int b = blockIdx.x % batch;
    const WorkItem work = p.lut.work[blockIdx.x / batch];
    const int h = work.head;
    const int seqLen = p.seqLen;
    const int q0 = work.queryTile * kTileM;
    const T* qBase = static_cast<const T*>(p.q) + b * p.qStride[0] + h * p.qStride[1];
    const T* kBase = static_cast<const T*>(p.k) + b * p.kStride[0] + h * p.kStride[1];
    const T* vBase = static_cast<const T*>(p.v) + b * p.vStride[0] + h * p.vStride[1];

    extern __shared__ uint4 smemRaw[];
    // The wgmma descriptors' swizzle repeats every 1024 bytes: its tiles start on that alignment (the launcher adds
    // the slack).
    const std::uintptr_t smemBase = reinterpret_cast<std::uintptr_t>(smemRaw);
    T* sQ = reinterpret_cast<T*>(kWgmma ? (smemBase + 1023) & ~std::uintptr_t(1023) : smemBase);
    T* sK = sQ + kTileM * D;
    T* sV = sK + kStages * kTileN * D;

    const int tid = threadIdx.x;
    const int warp = tid / 32;
    const int lane = tid % 32;
    const int count = work.end - work.begin;

    for (int idx = tid; idx < kTileM * kChunks; idx += kThreads) {
        const int r = idx / kChunks;
        const int c = idx % kChunks;
        const bool valid = q0 + r < seqLen;
        cpAsync16(sQ + swizzled<D>(r, c), valid ? qBase + std::int64_t(q0 + r) * p.qStride[2] + c * 8 : qBase, valid);
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
            const int at = keyTileOffset<D, kWgmma>(r, c);
            cpAsync16(dstK + at, valid ? kBase + key * p.kStride[2] + c * 8 : kBase, valid);
            cpAsync16(dstV + at, valid ? vBase + key * p.vStride[2] + c * 8 : vBase, valid);
        }
    };
    // Commit group s holds key tile s (group 0 also the Q tile); iteration i commits tile i + kStages - 1.
#pragma unroll
    for (int s = 0; s < kStages - 1; ++s) {
        if (s < count)
            loadKeyTile(work.begin + s, s);
        cpAsyncCommit();
    }

    const int g = lane / 4;
    const int t = lane % 4;
    // This thread holds tile rows warp·16 + g and warp·16 + g + 8.
    const int local[2] = { warp * 16 + g, warp * 16 + g + 8 };

    float acc[kDTiles][4];
    float rowMax[2] = { -INFINITY, -INFINITY };
    float rowSum[2] = { 0.0f, 0.0f };
    std::uint32_t qFrag[kKSteps][4];
#pragma unroll
    for (int d = 0; d < kDTiles; ++d)
        acc[d][0] = acc[d][1] = acc[d][2] = acc[d][3] = 0.0f;

    for (int i = 0; i < count; ++i) {
        const int entry = work.begin + i;
        // The stage tile i + kStages - 1 goes to was last read in iteration i - 1, finished by its closing barrier.
        if (i + kStages - 1 < count)
            loadKeyTile(entry + kStages - 1, (i + kStages - 1) % kStages);
        cpAsyncCommit();
        cpAsyncWait<kStages - 1>();
        if constexpr (kWgmma)
            fenceProxyAsyncShared();
        __syncthreads();
        // The wgmma path loads Q's fragments again for every key tile: ptxas (CUDA 13.0) reused a wgmma's A registers
        // after its wait as if they were dead, so fragments kept from the first tile were overwritten (seen in the
        // SASS); the reload is 4 or 8 ldmatrix per warp and tile.
        if (kWgmma || i == 0) {
#pragma unroll
            for (int kk = 0; kk < kKSteps; ++kk)
                ldmatrixX4(qFrag[kk], sQ + swizzled<D>(warp * 16 + (lane % 16), kk * 2 + lane / 16));
        }
        const std::uint32_t entryBits = p.lut.bits[entry];
        const std::uint32_t bits = (entryBits >> (warp * kSlices)) & kSliceMask;
        // The warpgroup's wgmma is collective: its 4 warps take this branch together.
        constexpr std::uint32_t kGroupMask = kSlices * 4 >= 32 ? ~0u : (1u << (kSlices * 4)) - 1;
        const bool active = kWgmma ? ((entryBits >> (warp / 4 * 4 * kSlices)) & kGroupMask) != 0 : bits != 0;
        if (active) {
            const T* tK = sK + (i % kStages) * kTileN * D;
            const T* tV = sV + (i % kStages) * kTileN * D;
            float s[kNTiles][4];
#pragma unroll
            for (int j = 0; j < kNTiles; ++j)
                s[j][0] = s[j][1] = s[j][2] = s[j][3] = 0.0f;
            if constexpr (kWgmma) {
                // K is K-major: key step kk reads 16 columns, 32 bytes into the swizzled 128-byte rows of its half.
                wgmmaFence();
#pragma unroll
                for (int kk = 0; kk < kKSteps; ++kk)
                    Wgmma<T>::template n64<0>(s, qFrag[kk],
                        wgmmaDescriptor(smemAddress(tK) + (kk / 4) * kTileN * 128 + (kk % 4) * 32, 0), kk > 0);
                wgmmaCommit();
                wgmmaWait<0>();
                wgmmaKeepRegisters(s);
#pragma unroll
                for (int kk = 0; kk < kKSteps; ++kk)
                    wgmmaKeepRegisters(qFrag[kk]);
            } else {
#pragma unroll
                for (int sl = 0; sl < kSlices; ++sl) {
                    if (!((bits >> sl) & 1))
                        continue;
#pragma unroll
                    for (int kk = 0; kk < kKSteps; ++kk) {
                        std::uint32_t frag[4];
                        ldmatrixX4(
                            frag, tK + swizzled<D>(sl * 16 + (lane % 8) + (lane / 16) * 8, kk * 2 + (lane / 8) % 2));
                        Mma<T>::run(s[2 * sl], qFrag[kk], frag[0], frag[1]);
                        Mma<T>::run(s[2 * sl + 1], qFrag[kk], frag[2], frag[3]);
                    }
                }
            }

            // Without masks, a tile this warp attends in full needs no per-score test (the lookup table lists only
            // slices inside the sequence).
            const bool fullTile = !kMasked && bits == kSliceMask;
            float tileMax[2] = { -INFINITY, -INFINITY };
            if (fullTile) {
#pragma unroll
                for (int j = 0; j < kNTiles; ++j)
#pragma unroll
                    for (int e = 0; e < 4; ++e) {
                        s[j][e] *= scoreScale;
                        tileMax[e / 2] = fmaxf(tileMax[e / 2], s[j][e]);
                    }
            } else {
                const std::int32_t* sliceKeys = p.lut.sliceKeys + std::size_t(entry) * kSlices;
#pragma unroll
                for (int j = 0; j < kNTiles; ++j) {
                    const bool sliceOn = (bits >> (j / 2)) & 1;
                    const int sliceKey = sliceKeys[j / 2];
#pragma unroll
                    for (int e = 0; e < 4; ++e) {
                        const int key = sliceKey + (j % 2) * 8 + 2 * t + (e & 1);
                        bool keep = sliceOn && key < seqLen;
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
                                const std::int64_t at = std::int64_t(q0 + warp * 16 + g + 8 * (e / 2)) * seqLen + key;
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
            float base[2];
#pragma unroll
            for (int r = 0; r < 2; ++r) {
                tileMax[r] = fmaxf(tileMax[r], __shfl_xor_sync(0xffffffffu, tileMax[r], 1));
                tileMax[r] = fmaxf(tileMax[r], __shfl_xor_sync(0xffffffffu, tileMax[r], 2));
                const float newMax = fmaxf(rowMax[r], tileMax[r]);
                // A row with nothing kept so far keeps max -inf; subtracting 0 keeps exp2 at 0, not NaN.
                base[r] = newMax == -INFINITY ? 0.0f : newMax;
                const float alpha = fastExp2((rowMax[r] - base[r]) * kExpScale);
                rowMax[r] = newMax;
                rowSum[r] *= alpha;
#pragma unroll
                for (int d = 0; d < kDTiles; ++d) {
                    acc[d][2 * r] *= alpha;
                    acc[d][2 * r + 1] *= alpha;
                }
            }
#pragma unroll
            for (int j = 0; j < kNTiles; ++j)
#pragma unroll
                for (int e = 0; e < 4; ++e) {
                    const float pr = fastExp2((s[j][e] - base[e / 2]) * kExpScale);
                    s[j][e] = pr;
                    rowSum[e / 2] += pr;
                }
            if constexpr (kWgmma) {
                // V is MN-major (its rows run along the head dim): key slice sl is 16 rows, 2048 bytes on; a head
                // dim of 128 is two products, one per 64-column half.
                std::uint32_t a[kSlices][4];
#pragma unroll
                for (int sl = 0; sl < kSlices; ++sl) {
                    a[sl][0] = Mma<T>::pack(s[2 * sl][0], s[2 * sl][1]);
                    a[sl][1] = Mma<T>::pack(s[2 * sl][2], s[2 * sl][3]);
                    a[sl][2] = Mma<T>::pack(s[2 * sl + 1][0], s[2 * sl + 1][1]);
                    a[sl][3] = Mma<T>::pack(s[2 * sl + 1][2], s[2 * sl + 1][3]);
                }
                wgmmaFence();
#pragma unroll
                for (int half = 0; half < D / 64; ++half) {
                    float(&accHalf)[8][4] = *reinterpret_cast<float(*)[8][4]>(&acc[half * 8]);
#pragma unroll
                    for (int sl = 0; sl < kSlices; ++sl)
                        Wgmma<T>::template n64<1>(accHalf, a[sl],
                            wgmmaDescriptor(smemAddress(tV) + half * kTileN * 128 + sl * 16 * 128, 0), true);
                }
                wgmmaCommit();
                wgmmaWait<0>();
                wgmmaKeepRegisters(acc);
#pragma unroll
                for (int sl = 0; sl < kSlices; ++sl)
                    wgmmaKeepRegisters(a[sl]);
            } else {
#pragma unroll
                for (int sl = 0; sl < kSlices; ++sl) {
                    if (!((bits >> sl) & 1))
                        continue;
                    const std::uint32_t a[4] = { Mma<T>::pack(s[2 * sl][0], s[2 * sl][1]),
                        Mma<T>::pack(s[2 * sl][2], s[2 * sl][3]), Mma<T>::pack(s[2 * sl + 1][0], s[2 * sl + 1][1]),
                        Mma<T>::pack(s[2 * sl + 1][2], s[2 * sl + 1][3]) };
#pragma unroll
                    for (int dt = 0; dt < kDTiles; dt += 2) {
                        std::uint32_t frag[4];
                        ldmatrixX4Trans(
                            frag, tV + swizzled<D>(sl * 16 + (lane % 8) + ((lane / 8) % 2) * 8, dt + lane / 16));
                        Mma<T>::run(acc[dt], a, frag[0], frag[1]);
                        Mma<T>::run(acc[dt + 1], a, frag[2], frag[3]);
                    }
                }
            }
        }
        __syncthreads();
    }
    // A work item with no key tiles skipped the loop's barriers: the Q tile's copies (issued by any thread) must land
    // before its rows are reused as the output staging area below.
    cpAsyncWait<0>();
    __syncthreads();

#pragma unroll
    for (int r = 0; r < 2; ++r) {
        rowSum[r] += __shfl_xor_sync(0xffffffffu, rowSum[r], 1);
        rowSum[r] += __shfl_xor_sync(0xffffffffu, rowSum[r], 2);
    }

    // Rows' log-sum-exp for the backward, when asked: [batch, heads, seqLen].
    float* lseBase = p.logSumExp ? p.logSumExp + (std::size_t(b) * p.heads + h) * seqLen : nullptr;
    if (work.partialSlot >= 0) {
        // A piece of a split query tile: unnormalised fp32 partials with their row maximum (kernel units) and sum.
        // The last piece of its (group, batch) to finish merges all of them and writes the output.
        const std::size_t slotBase = (std::size_t(work.partialSlot) * batch + b) * kTileM;
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
            isLast = atomicAdd(p.combineCounters + std::size_t(work.combineGroup) * batch + b, 1)
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
            if (q0 + local[r] < seqLen)
                lseBase[q0 + local[r]] = logSumExpOf<kMasked>(rowMax[r], rowSum[r]);
    }
    // Stage this warp's output rows through its own rows of the Q tile, then store 16-byte rows.
    T* sOut = sQ;
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        // A row that attends nothing (every key excluded) gives zeros, as the engine's CPU path does.
        const float inv = rowSum[r] > 0.0f ? 1.0f / rowSum[r] : 0.0f;
#pragma unroll
        for (int d = 0; d < kDTiles; ++d)
            *reinterpret_cast<std::uint32_t*>(sOut + swizzled<D>(local[r], d) + 2 * t)
                = Mma<T>::pack(acc[d][2 * r] * inv, acc[d][2 * r + 1] * inv);
    }
    __syncwarp();
    T* oBase = static_cast<T*>(p.out) + b * p.outStride[0] + h * p.outStride[1];
    for (int idx = lane; idx < 16 * kChunks; idx += 32) {
        const int row16 = warp * 16 + idx / kChunks;
        const int c = idx % kChunks;
        const int row = q0 + row16;
        if (row < seqLen)
            *reinterpret_cast<uint4*>(oBase + std::int64_t(row) * p.outStride[2] + c * 8)
                = *reinterpret_cast<const uint4*>(sOut + swizzled<D>(row16, c));
    }
}

template <typename T, int D, int kWarps, int kStages, bool kMasked, bool kWgmma>
std::string launchForwardKernel(const AttentionParams& p)
{
    constexpr int kTileM = kWarps * 16;
    constexpr int smemBytes = (kTileM + 2 * kStages * kTileN) * D * int(sizeof(T)) + (kWgmma ? 1024 : 0);
    auto kernel = blockSparseForwardKernel<T, D, kWarps, kStages, kMasked, kWgmma>;
    static std::atomic<std::uint64_t> limitRaised { 0 }; // one bit per device, for this instance
    cudaError_t status = raiseSharedMemoryLimitOnce(kernel, smemBytes, limitRaised);
    if (status != cudaSuccess)
        return std::string("block-sparse attention: cannot set shared memory size: ") + cudaGetErrorString(status);
    const long long blocks = static_cast<long long>(p.lut.numWork) * p.batch;
    kernel<<<static_cast<unsigned>(blocks), kWarps * 32, smemBytes, p.stream>>>(p);
    status = cudaGetLastError();
    if (status != cudaSuccess)
        return std::string("block-sparse attention kernel launch failed: ") + cudaGetErrorString(status);
    return {};
}

template <typename T, int D, bool kMasked, bool kWgmma> std::string launchForwardShape(const AttentionParams& p)
{
    // Head dim 128 keeps 64 query rows per CTA (tileConfigFor): its accumulator would not fit 128 rows' registers.
    constexpr int kWarps = D == 128 ? 4 : 8;
    return p.pipelineStages == 2 ? launchForwardKernel<T, D, kWarps, 2, kMasked, kWgmma>(p)
                                 : launchForwardKernel<T, D, kWarps, 3, kMasked, kWgmma>(p);
}

// The forward's instances for one matrix path: kWgmma false in the sm_90 translation units (launchForward), true in
// the sm_90a ones (launchForwardWgmma).
template <DType kDType, int D, bool kWgmma> std::string launchForwardPath(const AttentionParams& p)
{
    using T = typename DTypeOf<kDType>::type;
    const bool masked = p.keyPaddingKind != MaskKind::None || p.attnMaskKind != MaskKind::None;
    return masked ? launchForwardShape<T, D, true, kWgmma>(p) : launchForwardShape<T, D, false, kWgmma>(p);
}

template <DType kDType, int D> std::string launchForward(const AttentionParams& p)
{
    return launchForwardPath<kDType, D, false>(p);
}

template <DType kDType, int D> std::string launchForwardWgmma(const AttentionParams& p)
{
    return launchForwardPath<kDType, D, true>(p);
}

} // namespace spw::kernels::detail
