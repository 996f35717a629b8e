#pragma once
// The fused block-sparse attention forward kernel (FlashAttention-2 style, tensor-core mma.sync m16n8k16):
// a CTA owns one query tile of one (batch, head); each warp owns 16 of its rows and keeps their output
// accumulator, running row maximum and row sum in registers. Key/value tiles stream through 2 or 3 shared-memory
// stages with cp.async (1 or 2 tiles in flight while one is computed). The tile's layout bits tell each warp which
// 16-key slices its rows attend: the others skip both matrix products and count as excluded in the softmax.
// On Hopper the same kernel can run its two products as wgmma per warpgroup instead (kWgmma, FlashAttention-3's
// instructions without its warp-specialised pipeline): see the kernel's comment. The softmax and the epilogue are
// forward_tile.cuh's.
#include "attention_common.cuh"
#include "block_sparse_attention.h"
#include "block_sparse_launch.h"
#include "forward_tile.cuh"
#include "wgmma_helpers.cuh"

#include <cuda_runtime.h>

#include <atomic>
#include <cfloat>
#include <cstdint>
#include <string>

namespace spw::kernels::detail {

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

    // This thread holds tile rows warp·16 + g and warp·16 + g + 8.
    const int g = lane / 4;
    const int t = lane % 4;

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

            float tileMax[2];
            scaleAndMaskScores<kMasked>(
                s, tileMax, p, bits, p.lut.sliceKeys + std::size_t(entry) * kSlices, b, q0 + warp * 16 + g, t);
            float base[2];
            float alpha[2];
            advanceRowMax<kMasked>(tileMax, rowMax, rowSum, base, alpha);
            rescaleRows(acc, alpha);
            exponentiateScores<kMasked>(s, base, rowSum);
            if constexpr (kWgmma) {
                // V is MN-major (its rows run along the head dim): key slice sl is 16 rows, 2048 bytes on; a head
                // dim of 128 is two products, one per 64-column half.
                std::uint32_t a[kSlices][4];
#pragma unroll
                for (int sl = 0; sl < kSlices; ++sl)
                    packProbabilities<T>(s, sl, a[sl]);
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
                    std::uint32_t a[4];
                    packProbabilities<T>(s, sl, a);
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

    storeQueryTile<T, D, kTileM, kThreads, kMasked>(p, work, b, sQ, acc, rowMax, rowSum);
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
