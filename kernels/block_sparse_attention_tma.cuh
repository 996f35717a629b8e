#pragma once
// The block-sparse attention forward as a Hopper pipeline (sm_90a): key/value tiles arrive by TMA into a ring of
// shared-memory stages guarded by mbarriers, and each warpgroup (4 warps, 64 query rows) runs both matrix products as
// wgmma, issuing the next key tile's scores and the previous tile's P·V before it computes this tile's softmax, so the
// tensor cores work while the warpgroup exponentiates (FlashAttention-3's intra-warpgroup overlap). No CTA-wide
// barrier in the loop: a warpgroup waits only for its own tiles' bytes, and each stage is refilled once every warp
// that reads it has released it, so the two warpgroups of a CTA drift apart by up to a few tiles and their softmax and
// products interleave.
//
// Lookup tables, work items, split tiles, masks and the epilogue are those of the other paths (forward_tile.cuh).
// Producer: thread 0 issues the copies (one TMA per 16-key slice and 64-column half of K and of V: 8 or 16 per key
// tile) between its own tiles; it blocks only for a tile its warpgroup needs next and otherwise fills what is free.
#include "attention_common.cuh"
#include "block_sparse_attention.h"
#include "forward_tensor_maps.h"
#include "forward_tile.cuh"
#include "tma_helpers.cuh"
#include "wgmma_helpers.cuh"

#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace spw::kernels::detail {

// Query rows per CTA: the lookup tables' tile shape (tileConfigFor), two warpgroups at head dim 64 and one at 128.
template <int D> constexpr int tmaPipelineTileM()
{
    return D == 128 ? 64 : 128;
}

// Key/value stages: four at head dim 64; at 128 a stage is twice the bytes and two stages keep two CTAs per SM.
template <int D> constexpr int tmaPipelineStages()
{
    return D == 128 ? 2 : 4;
}

template <typename T, int D> constexpr int tmaPipelineSharedBytes()
{
    // 1024 bytes of slack: the swizzled tiles start 1024-byte aligned.
    return (tmaPipelineTileM<D>() + 2 * tmaPipelineStages<D>() * kTileN) * D * int(sizeof(T)) + 1024;
}

template <typename T, int D, bool kMasked>
__global__ void __launch_bounds__(tmaPipelineTileM<D>() * 2, 2)
    blockSparseForwardTmaKernel(const AttentionParams p, const __grid_constant__ ForwardTensorMaps maps)
{
    constexpr int kTileM = tmaPipelineTileM<D>();
    constexpr int kStages = tmaPipelineStages<D>();
    constexpr int kWarps = kTileM / 16;
    constexpr int kThreads = kWarps * 32;
    constexpr int kSlices = kTileN / 16;
    constexpr std::uint32_t kSliceMask = (1u << kSlices) - 1;
    constexpr std::uint32_t kGroupMask = (1u << (4 * kSlices)) - 1; // a warpgroup's bits of a tile entry
    constexpr int kNTiles = kTileN / 8;
    constexpr int kDTiles = D / 8;
    constexpr int kKSteps = D / 16;
    constexpr int kHalves = D / 64;
    constexpr std::uint32_t kTileBytes = kTileN * D * sizeof(T);

    const int b = blockIdx.x % p.batch;
    const WorkItem work = p.lut.work[blockIdx.x / p.batch];
    const int h = work.head;
    const int q0 = work.queryTile * kTileM;
    const int count = work.end - work.begin;

    extern __shared__ uint4 smemRaw[];
    T* sQ = reinterpret_cast<T*>((reinterpret_cast<std::uintptr_t>(smemRaw) + 1023) & ~std::uintptr_t(1023));
    T* sK = sQ + kTileM * D;
    T* sV = sK + kStages * kTileN * D;
    // full[s]: stage s's key and value bytes have landed (one arrival, the producer's, plus the bytes); empty[s]: every
    // warp has finished reading it.
    __shared__ std::uint64_t fullBarrier[kStages];
    __shared__ std::uint64_t emptyBarrier[kStages];
    __shared__ std::uint64_t queryBarrier;

    const int tid = threadIdx.x;
    const int warp = tid / 32;
    const int lane = tid % 32;
    const int group = warp / 4;
    const int g = lane / 4;
    const int t = lane % 4;

    // Tiles of a (half, 16-row block): element offset of 16-row block r16 of column half `half` in a tile of `rows`.
    auto boxOffset = [](int rows, int half, int r16) { return half * rows * 64 + r16 * 16 * 64; };
    int nextFill = 0; // the producer's (thread 0's) next key tile to copy
    auto fill = [&](int n) {
        const int stage = n % kStages;
        mbarrierArriveExpectBytes(&fullBarrier[stage], 2 * kTileBytes);
        const std::int32_t* sliceKeys = p.lut.sliceKeys + std::size_t(work.begin + n) * kSlices;
#pragma unroll
        for (int sl = 0; sl < kSlices; ++sl) {
            const int key = sliceKeys[sl];
#pragma unroll
            for (int half = 0; half < kHalves; ++half) {
                const int at = stage * kTileN * D + boxOffset(kTileN, half, sl);
                tmaLoad4d(sK + at, &maps.key, half * 64, key, h, b, &fullBarrier[stage]);
                tmaLoad4d(sV + at, &maps.value, half * 64, key, h, b, &fullBarrier[stage]);
            }
        }
    };
    // Copies key tiles up to (not including) `limit`: blocking for a stage still being read only while the tile is
    // at most `needed`, else leaving the rest for a later call.
    auto produce = [&](int limit, int needed) {
        for (; nextFill < limit && nextFill < count; ++nextFill) {
            if (nextFill >= kStages) {
                std::uint64_t* empty = &emptyBarrier[nextFill % kStages];
                const std::uint32_t parity = (nextFill / kStages - 1) & 1;
                if (nextFill > needed && !mbarrierPhaseDone(empty, parity))
                    break;
                mbarrierWait(empty, parity);
            }
            fill(nextFill);
        }
    };

    if (tid == 0) {
        for (int s = 0; s < kStages; ++s) {
            mbarrierInit(&fullBarrier[s], 1);
            mbarrierInit(&emptyBarrier[s], kWarps);
        }
        mbarrierInit(&queryBarrier, 1);
        fenceBarrierInit();
        mbarrierArriveExpectBytes(&queryBarrier, kTileM * D * sizeof(T));
        for (int r16 = 0; r16 < kTileM / 16; ++r16)
#pragma unroll
            for (int half = 0; half < kHalves; ++half)
                tmaLoad4d(
                    sQ + boxOffset(kTileM, half, r16), &maps.query, half * 64, q0 + r16 * 16, h, b, &queryBarrier);
        produce(kStages, 0);
    }
    __syncthreads();

    float acc[kDTiles][4];
#pragma unroll
    for (int d = 0; d < kDTiles; ++d)
        acc[d][0] = acc[d][1] = acc[d][2] = acc[d][3] = 0.0f;
    float rowMax[2] = { -INFINITY, -INFINITY };
    float rowSum[2] = { 0.0f, 0.0f };
    // The probabilities of the last tile whose P·V product is not issued yet, as wgmma A fragments.
    std::uint32_t pending[kSlices][4];
    bool hasPending = false;
    int pendingTile = 0;

    // This warpgroup's rows of the query tile, as the A operand of the scores (K-major, 128-byte swizzle).
    const std::uint32_t queryAddress = smemAddress(sQ + group * 64 * 64);
    auto release = [&](int tile) {
        __syncwarp();
        if (lane == 0)
            mbarrierArrive(&emptyBarrier[tile % kStages]);
    };
    auto issueValueProduct = [&](int tile) {
        const std::uint32_t valueAddress = smemAddress(sV + (tile % kStages) * kTileN * D);
#pragma unroll
        for (int half = 0; half < kHalves; ++half) {
            float(&accHalf)[8][4] = *reinterpret_cast<float(*)[8][4]>(&acc[half * 8]);
#pragma unroll
            for (int sl = 0; sl < kSlices; ++sl)
                Wgmma<T>::template n64<1>(
                    accHalf, pending[sl], wgmmaDescriptor(valueAddress + half * kTileN * 128 + sl * 16 * 128, 0), true);
        }
        wgmmaCommit();
    };
    auto finishValueProduct = [&]() {
        wgmmaWait<0>();
        wgmmaKeepRegisters(acc);
#pragma unroll
        for (int sl = 0; sl < kSlices; ++sl)
            wgmmaKeepRegisters(pending[sl]);
        release(pendingTile);
        hasPending = false;
    };

    mbarrierWait(&queryBarrier, 0);
    for (int i = 0; i < count; ++i) {
        // The stage of tile i is the pending tile's when they are kStages apart: finish that one first, or its stage
        // could never be refilled.
        if (hasPending && i - pendingTile >= kStages) {
            wgmmaFence();
            issueValueProduct(pendingTile);
            finishValueProduct();
        }
        if (tid == 0)
            produce((hasPending ? pendingTile : i) + kStages, i);
        const int stage = i % kStages;
        mbarrierWait(&fullBarrier[stage], (i / kStages) & 1);
        const int entry = work.begin + i;
        const std::uint32_t entryBits = p.lut.bits[entry];
        // The warpgroup's wgmma is collective: its 4 warps take this branch together.
        if (((entryBits >> (group * 4 * kSlices)) & kGroupMask) == 0) {
            release(i);
            continue;
        }
        float s[kNTiles][4];
        const std::uint32_t keyAddress = smemAddress(sK + stage * kTileN * D);
        wgmmaFence();
        // K is K-major: key step kk reads 16 columns, 32 bytes into the swizzled 128-byte rows of its half; Q alike.
#pragma unroll
        for (int kk = 0; kk < kKSteps; ++kk)
            Wgmma<T>::template n64<0>(s, wgmmaDescriptor(queryAddress + (kk / 4) * kTileM * 128 + (kk % 4) * 32, 0),
                wgmmaDescriptor(keyAddress + (kk / 4) * kTileN * 128 + (kk % 4) * 32, 0), kk > 0);
        wgmmaCommit();
        if (hasPending) {
            issueValueProduct(pendingTile);
            wgmmaWait<1>();
        } else {
            wgmmaWait<0>();
        }
        wgmmaKeepRegisters(s);

        const std::uint32_t bits = (entryBits >> (warp * kSlices)) & kSliceMask;
        float tileMax[2];
        scaleAndMaskScores<kMasked>(
            s, tileMax, p, bits, p.lut.sliceKeys + std::size_t(entry) * kSlices, b, q0 + warp * 16 + g, t);
        float base[2];
        float alpha[2];
        advanceRowMax<kMasked>(tileMax, rowMax, rowSum, base, alpha);
        exponentiateScores<kMasked>(s, base, rowSum);
        if (hasPending)
            finishValueProduct();
        rescaleRows(acc, alpha);
#pragma unroll
        for (int sl = 0; sl < kSlices; ++sl)
            packProbabilities<T>(s, sl, pending[sl]);
        hasPending = true;
        pendingTile = i;
    }
    if (hasPending) {
        wgmmaFence();
        issueValueProduct(pendingTile);
        finishValueProduct();
    }
    // Every warp reads only its own rows of sQ (its warpgroup's wgmma, all finished), so it can stage its output there.
    storeQueryTile<T, D, kTileM, kThreads, kMasked>(p, work, b, sQ, acc, rowMax, rowSum);
}

template <typename T, int D, bool kMasked>
std::string launchForwardTmaKernel(const AttentionParams& p, const ForwardTensorMaps& maps)
{
    constexpr int smemBytes = tmaPipelineSharedBytes<T, D>();
    auto kernel = blockSparseForwardTmaKernel<T, D, kMasked>;
    static std::atomic<std::uint64_t> limitRaised { 0 }; // one bit per device, for this instance
    cudaError_t status = raiseSharedMemoryLimitOnce(kernel, smemBytes, limitRaised);
    if (status != cudaSuccess)
        return std::string("block-sparse attention: cannot set shared memory size: ") + cudaGetErrorString(status);
    const long long blocks = static_cast<long long>(p.lut.numWork) * p.batch;
    kernel<<<static_cast<unsigned>(blocks), tmaPipelineTileM<D>() * 2, smemBytes, p.stream>>>(p, maps);
    status = cudaGetLastError();
    if (status != cudaSuccess)
        return std::string("block-sparse attention kernel launch failed: ") + cudaGetErrorString(status);
    return {};
}

template <DType kDType, int D> std::string launchForwardTma(const AttentionParams& p, const ForwardTensorMaps& maps)
{
    using T = typename DTypeOf<kDType>::type;
    const bool masked = p.keyPaddingKind != MaskKind::None || p.attnMaskKind != MaskKind::None;
    return masked ? launchForwardTmaKernel<T, D, true>(p, maps) : launchForwardTmaKernel<T, D, false>(p, maps);
}

} // namespace spw::kernels::detail
