#pragma once
// The fused block-sparse attention forward kernel (FlashAttention-2 style, tensor-core mma.sync m16n8k16):
// a CTA owns one query tile of one (batch, head); each warp owns 16 of its rows and keeps their output
// accumulator, running row maximum and row sum in registers. Key/value tiles stream through two shared-memory
// stages with cp.async while the previous tile is computed. The tile's layout bits tell each warp which 16-key
// slices its rows attend: the others skip both matrix products and count as excluded in the softmax.
//
// Units: without masks the scores are kept pre-multiplied by scale·log2(e) (one FMA less per score); with masks
// they are kept in natural units (scale·qk + additive mask) and multiplied by log2(e) only after the row maximum
// is subtracted, so that additive masks holding the float minimum do not overflow to -inf.
#include "block_sparse_attention.h"
#include "block_sparse_launch.h"
#include "mma_helpers.cuh"

#include <cuda_runtime.h>

#include <cfloat>
#include <cstdint>
#include <string>

namespace spw::kernels::detail {

constexpr float kLog2e = 1.4426950408889634f;
constexpr int kTileN = 64;

template <DType kDType>
struct DTypeOf;
template <>
struct DTypeOf<DType::Float16> {
    using type = __half;
};
template <>
struct DTypeOf<DType::BFloat16> {
    using type = __nv_bfloat16;
};

// Each warp owns kGroups groups of 16 query rows; a CTA has kWarps warps, tileM = 16·kWarps·kGroups (the LUT's
// 16-row groups are numbered warp·kGroups + m). Two groups per warp use every K/V fragment read from shared memory
// twice; one group per warp with twice the warps keeps twice the warps in flight. On the H200 one group won
// everywhere (docs/kernel-notes.md), so rowGroupsFor picks it; two remain selectable for tuning. Head dim 128 keeps
// one group: two would not fit the registers.
__device__ __forceinline__ float fastExp2(float x)
{
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
    return y;
}

// Element offset of (row, 16-byte chunk) in a [rows][D] shared tile, XOR-swizzled so that the 8 rows one
// ldmatrix phase reads fall into distinct bank groups.
template <int D>
__device__ __forceinline__ int swizzled(int row, int chunk)
{
    constexpr int kChunks = D / 8;
    const int physical = kChunks >= 8 ? (chunk ^ (row & 7)) : (chunk ^ ((row >> 1) & 3));
    return row * D + physical * 8;
}

template <typename T, int D, int kWarps, int kGroups, bool kMasked>
__global__ void __launch_bounds__(kWarps * 32, 2) blockSparseForwardKernel(const AttentionParams p)
{
    constexpr int kTileM = kWarps * kGroups * 16;
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
    T* sQ = reinterpret_cast<T*>(smemRaw);
    T* sK = sQ + kTileM * D;
    T* sV = sK + 2 * kTileN * D;

    const int tid = threadIdx.x;
    const int warp = tid / 32;
    const int lane = tid % 32;
    const int count = work.end - work.begin;

    for (int idx = tid; idx < kTileM * kChunks; idx += kThreads) {
        const int r = idx / kChunks;
        const int c = idx % kChunks;
        const bool valid = q0 + r < seqLen;
        cpAsync16(sQ + swizzled<D>(r, c), valid ? qBase + std::int64_t(q0 + r) * p.qStride[2] + c * 8 : qBase,
                  valid);
    }
    auto loadKeyTile = [&](int entry, int stage) {
        const int k0 = p.lut.keyTiles[entry] * kTileN;
        T* dstK = sK + stage * kTileN * D;
        T* dstV = sV + stage * kTileN * D;
#pragma unroll
        for (int idx = tid; idx < kTileN * kChunks; idx += kThreads) {
            const int r = idx / kChunks;
            const int c = idx % kChunks;
            const bool valid = k0 + r < seqLen;
            const std::int64_t key = k0 + r;
            cpAsync16(dstK + swizzled<D>(r, c), valid ? kBase + key * p.kStride[2] + c * 8 : kBase, valid);
            cpAsync16(dstV + swizzled<D>(r, c), valid ? vBase + key * p.vStride[2] + c * 8 : vBase, valid);
        }
    };
    if (count > 0)
        loadKeyTile(work.begin, 0);
    cpAsyncCommit();

    const int g = lane / 4;
    const int t = lane % 4;
    // Group m of this warp holds tile rows (warp·kGroups + m)·16 .. +15; this thread holds two of them.
    auto rowOf = [&](int m, int half) { return q0 + (warp * kGroups + m) * 16 + g + 8 * half; };

    float acc[kGroups][kDTiles][4];
    float rowMax[kGroups][2];
    float rowSum[kGroups][2];
    std::uint32_t qFrag[kGroups][kKSteps][4];
#pragma unroll
    for (int m = 0; m < kGroups; ++m) {
#pragma unroll
        for (int d = 0; d < kDTiles; ++d)
            acc[m][d][0] = acc[m][d][1] = acc[m][d][2] = acc[m][d][3] = 0.0f;
        rowMax[m][0] = rowMax[m][1] = -INFINITY;
        rowSum[m][0] = rowSum[m][1] = 0.0f;
    }

    for (int i = 0; i < count; ++i) {
        const int entry = work.begin + i;
        if (i + 1 < count)
            loadKeyTile(entry + 1, (i + 1) & 1);
        cpAsyncCommit();
        cpAsyncWait<1>();
        __syncthreads();
        if (i == 0) {
#pragma unroll
            for (int m = 0; m < kGroups; ++m)
#pragma unroll
                for (int kk = 0; kk < kKSteps; ++kk)
                    ldmatrixX4(qFrag[m][kk],
                               sQ + swizzled<D>((warp * kGroups + m) * 16 + (lane % 16), kk * 2 + lane / 16));
        }
        const std::uint32_t tileBits = p.lut.bits[entry];
        std::uint32_t bits[kGroups];
        std::uint32_t anyBits = 0;
#pragma unroll
        for (int m = 0; m < kGroups; ++m) {
            bits[m] = (tileBits >> ((warp * kGroups + m) * kSlices)) & kSliceMask;
            anyBits |= bits[m];
        }
        if (anyBits) {
            const int k0 = p.lut.keyTiles[entry] * kTileN;
            const T* tK = sK + (i & 1) * kTileN * D;
            const T* tV = sV + (i & 1) * kTileN * D;
            float s[kGroups][kNTiles][4];
#pragma unroll
            for (int m = 0; m < kGroups; ++m)
#pragma unroll
                for (int j = 0; j < kNTiles; ++j)
                    s[m][j][0] = s[m][j][1] = s[m][j][2] = s[m][j][3] = 0.0f;
#pragma unroll
            for (int sl = 0; sl < kSlices; ++sl) {
                if (!((anyBits >> sl) & 1))
                    continue;
#pragma unroll
                for (int kk = 0; kk < kKSteps; ++kk) {
                    std::uint32_t frag[4];
                    ldmatrixX4(frag, tK + swizzled<D>(sl * 16 + (lane % 8) + (lane / 16) * 8, kk * 2 + (lane / 8) % 2));
#pragma unroll
                    for (int m = 0; m < kGroups; ++m) {
                        if (!((bits[m] >> sl) & 1))
                            continue;
                        Mma<T>::run(s[m][2 * sl], qFrag[m][kk], frag[0], frag[1]);
                        Mma<T>::run(s[m][2 * sl + 1], qFrag[m][kk], frag[2], frag[3]);
                    }
                }
            }

            // Without masks, a tile every row group attends in full and that lies inside the sequence needs no
            // per-score test.
            const bool fullTile = !kMasked && k0 + kTileN <= seqLen && [&] {
                bool all = true;
#pragma unroll
                for (int m = 0; m < kGroups; ++m)
                    all = all && bits[m] == kSliceMask;
                return all;
            }();
#pragma unroll
            for (int m = 0; m < kGroups; ++m) {
                float tileMax[2] = {-INFINITY, -INFINITY};
                if (fullTile) {
#pragma unroll
                    for (int j = 0; j < kNTiles; ++j)
#pragma unroll
                        for (int e = 0; e < 4; ++e) {
                            s[m][j][e] *= scoreScale;
                            tileMax[e / 2] = fmaxf(tileMax[e / 2], s[m][j][e]);
                        }
                } else {
#pragma unroll
                    for (int j = 0; j < kNTiles; ++j) {
                        const bool sliceOn = (bits[m] >> (j / 2)) & 1;
#pragma unroll
                        for (int e = 0; e < 4; ++e) {
                            const int key = k0 + j * 8 + 2 * t + (e & 1);
                            bool keep = sliceOn && key < seqLen;
                            float x = s[m][j][e] * scoreScale;
                            if constexpr (kMasked) {
                                if (keep && p.keyPaddingKind != MaskKind::None) {
                                    const float mk = p.keyPadding[b * p.keyPaddingBatchStride + key];
                                    if (p.keyPaddingKind == MaskKind::Add)
                                        x += mk;
                                    else if (mk == 0.0f)
                                        keep = false;
                                }
                                if (keep && p.attnMaskKind != MaskKind::None) {
                                    const std::int64_t at = std::int64_t(rowOf(m, e / 2)) * seqLen + key;
                                    if (p.attnMaskKind == MaskKind::Add)
                                        x += static_cast<const float*>(p.attnMask)[at];
                                    else if (static_cast<const std::uint8_t*>(p.attnMask)[at] == 0)
                                        keep = false;
                                }
                            }
                            s[m][j][e] = keep ? x : -INFINITY;
                            tileMax[e / 2] = fmaxf(tileMax[e / 2], s[m][j][e]);
                        }
                    }
                }
                float base[2];
#pragma unroll
                for (int r = 0; r < 2; ++r) {
                    tileMax[r] = fmaxf(tileMax[r], __shfl_xor_sync(0xffffffffu, tileMax[r], 1));
                    tileMax[r] = fmaxf(tileMax[r], __shfl_xor_sync(0xffffffffu, tileMax[r], 2));
                    const float newMax = fmaxf(rowMax[m][r], tileMax[r]);
                    // A row with nothing kept so far keeps max -inf; subtracting 0 keeps exp2 at 0, not NaN.
                    base[r] = newMax == -INFINITY ? 0.0f : newMax;
                    const float alpha = fastExp2((rowMax[m][r] - base[r]) * kExpScale);
                    rowMax[m][r] = newMax;
                    rowSum[m][r] *= alpha;
#pragma unroll
                    for (int d = 0; d < kDTiles; ++d) {
                        acc[m][d][2 * r] *= alpha;
                        acc[m][d][2 * r + 1] *= alpha;
                    }
                }
#pragma unroll
                for (int j = 0; j < kNTiles; ++j)
#pragma unroll
                    for (int e = 0; e < 4; ++e) {
                        const float pr = fastExp2((s[m][j][e] - base[e / 2]) * kExpScale);
                        s[m][j][e] = pr;
                        rowSum[m][e / 2] += pr;
                    }
            }
#pragma unroll
            for (int sl = 0; sl < kSlices; ++sl) {
                if (!((anyBits >> sl) & 1))
                    continue;
                std::uint32_t a[kGroups][4];
#pragma unroll
                for (int m = 0; m < kGroups; ++m) {
                    a[m][0] = Mma<T>::pack(s[m][2 * sl][0], s[m][2 * sl][1]);
                    a[m][1] = Mma<T>::pack(s[m][2 * sl][2], s[m][2 * sl][3]);
                    a[m][2] = Mma<T>::pack(s[m][2 * sl + 1][0], s[m][2 * sl + 1][1]);
                    a[m][3] = Mma<T>::pack(s[m][2 * sl + 1][2], s[m][2 * sl + 1][3]);
                }
#pragma unroll
                for (int dt = 0; dt < kDTiles; dt += 2) {
                    std::uint32_t frag[4];
                    ldmatrixX4Trans(frag, tV + swizzled<D>(sl * 16 + (lane % 8) + ((lane / 8) % 2) * 8, dt + lane / 16));
#pragma unroll
                    for (int m = 0; m < kGroups; ++m) {
                        if (!((bits[m] >> sl) & 1))
                            continue;
                        Mma<T>::run(acc[m][dt], a[m], frag[0], frag[1]);
                        Mma<T>::run(acc[m][dt + 1], a[m], frag[2], frag[3]);
                    }
                }
            }
        }
        __syncthreads();
    }
    cpAsyncWait<0>();

#pragma unroll
    for (int m = 0; m < kGroups; ++m)
#pragma unroll
        for (int r = 0; r < 2; ++r) {
            rowSum[m][r] += __shfl_xor_sync(0xffffffffu, rowSum[m][r], 1);
            rowSum[m][r] += __shfl_xor_sync(0xffffffffu, rowSum[m][r], 2);
        }

    if (work.partialSlot >= 0) {
        // Unnormalised fp32 partials with their row maximum (in log2 units) and sum, merged by the combine kernel.
        const std::size_t slotBase = (std::size_t(work.partialSlot) * batch + b) * kTileM;
#pragma unroll
        for (int m = 0; m < kGroups; ++m)
#pragma unroll
            for (int r = 0; r < 2; ++r) {
                const int local = (warp * kGroups + m) * 16 + g + 8 * r;
                float* dst = p.partialOut + (slotBase + local) * D;
#pragma unroll
                for (int d = 0; d < kDTiles; ++d)
                    *reinterpret_cast<float2*>(dst + d * 8 + 2 * t) =
                        make_float2(acc[m][d][2 * r], acc[m][d][2 * r + 1]);
                if (t == 0) {
                    float* stats = p.partialStats + (slotBase + local) * 2;
                    stats[0] = rowMax[m][r] == -INFINITY ? -INFINITY : rowMax[m][r] * kExpScale;
                    stats[1] = rowSum[m][r];
                }
            }
        return;
    }

    // Stage this warp's output rows through its own rows of the Q tile, then store 16-byte rows.
    T* sOut = sQ;
#pragma unroll
    for (int m = 0; m < kGroups; ++m)
#pragma unroll
        for (int r = 0; r < 2; ++r) {
            // A row that attends nothing (every key excluded) gives zeros, as the engine's CPU path does.
            const float inv = rowSum[m][r] > 0.0f ? 1.0f / rowSum[m][r] : 0.0f;
            const int local = (warp * kGroups + m) * 16 + g + 8 * r;
#pragma unroll
            for (int d = 0; d < kDTiles; ++d)
                *reinterpret_cast<std::uint32_t*>(sOut + swizzled<D>(local, d) + 2 * t) =
                    Mma<T>::pack(acc[m][d][2 * r] * inv, acc[m][d][2 * r + 1] * inv);
        }
    __syncwarp();
    T* oBase = static_cast<T*>(p.out) + b * p.outStride[0] + h * p.outStride[1];
    for (int idx = lane; idx < kGroups * 16 * kChunks; idx += 32) {
        const int local = warp * kGroups * 16 + idx / kChunks;
        const int c = idx % kChunks;
        const int row = q0 + local;
        if (row < seqLen)
            *reinterpret_cast<uint4*>(oBase + std::int64_t(row) * p.outStride[2] + c * 8) =
                *reinterpret_cast<const uint4*>(sOut + swizzled<D>(local, c));
    }
}

template <typename T, int D, int kWarps, int kGroups, bool kMasked>
std::string launchForwardKernel(const AttentionParams& p)
{
    constexpr int kTileM = kWarps * kGroups * 16;
    const int smemBytes = (kTileM + 4 * kTileN) * D * int(sizeof(T));
    auto kernel = blockSparseForwardKernel<T, D, kWarps, kGroups, kMasked>;
    cudaError_t status = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smemBytes);
    if (status != cudaSuccess)
        return std::string("block-sparse attention: cannot set shared memory size: ") + cudaGetErrorString(status);
    const long long blocks = static_cast<long long>(p.lut.numWork) * p.batch;
    kernel<<<static_cast<unsigned>(blocks), kWarps * 32, smemBytes, p.stream>>>(p);
    status = cudaGetLastError();
    if (status != cudaSuccess)
        return std::string("block-sparse attention kernel launch failed: ") + cudaGetErrorString(status);
    return {};
}

template <typename T, int D, bool kMasked>
std::string launchForwardShape(const AttentionParams& p)
{
    if constexpr (D == 128) {
        return launchForwardKernel<T, D, 4, 1, kMasked>(p);
    } else {
        return p.rowGroupsPerWarp == 2 ? launchForwardKernel<T, D, 4, 2, kMasked>(p)
                                       : launchForwardKernel<T, D, 8, 1, kMasked>(p);
    }
}

template <DType kDType, int D>
std::string launchForward(const AttentionParams& p)
{
    using T = typename DTypeOf<kDType>::type;
    const bool masked = p.keyPaddingKind != MaskKind::None || p.attnMaskKind != MaskKind::None;
    return masked ? launchForwardShape<T, D, true>(p) : launchForwardShape<T, D, false>(p);
}

} // namespace spw::kernels::detail
