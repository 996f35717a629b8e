#pragma once
// Thin wrappers over Hopper's tensor memory accelerator (TMA) and shared-memory barriers (sm_90a): a 4-D tiled copy
// from global to shared memory that signals an mbarrier when its bytes have landed, and the mbarrier operations a
// producer/consumer pipeline needs. Elsewhere they compile to nothing, like wgmma_helpers.cuh's.
#include "mma_helpers.cuh"
#include "wgmma_helpers.cuh"

#include <cuda.h>

#include <cstdint>

namespace spw::kernels::detail {

__device__ __forceinline__ void mbarrierInit(std::uint64_t* barrier, int arrivals)
{
#if SPW_WGMMA_ENABLED
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(smemAddress(barrier)), "r"(arrivals) : "memory");
#endif
}

// Makes the barriers' initialisation visible to the async proxy (TMA) before anyone uses them; the CTA barrier that
// follows makes it visible to the other threads.
__device__ __forceinline__ void fenceBarrierInit()
{
#if SPW_WGMMA_ENABLED
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
#endif
}

__device__ __forceinline__ void mbarrierArrive(std::uint64_t* barrier)
{
#if SPW_WGMMA_ENABLED
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(smemAddress(barrier)) : "memory");
#endif
}

// One arrival that also tells the barrier to expect `bytes` more from copies signalling it: its phase completes when
// both the arrivals and the bytes are in.
__device__ __forceinline__ void mbarrierArriveExpectBytes(std::uint64_t* barrier, std::uint32_t bytes)
{
#if SPW_WGMMA_ENABLED
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(smemAddress(barrier)), "r"(bytes)
                 : "memory");
#endif
}

// Whether the barrier's phase of parity `parity` has completed (phases alternate 0, 1, 0, ...); does not block.
__device__ __forceinline__ bool mbarrierPhaseDone(std::uint64_t* barrier, std::uint32_t parity)
{
    std::uint32_t done = 1;
#if SPW_WGMMA_ENABLED
    asm volatile("{\n.reg .pred p;\nmbarrier.test_wait.parity.shared::cta.b64 p, [%1], %2;\nselp.u32 %0, 1, 0, p;\n}\n"
                 : "=r"(done)
                 : "r"(smemAddress(barrier)), "r"(parity)
                 : "memory");
#endif
    return done != 0;
}

// Blocks until the barrier's phase of parity `parity` has completed.
__device__ __forceinline__ void mbarrierWait(std::uint64_t* barrier, std::uint32_t parity)
{
#if SPW_WGMMA_ENABLED
    std::uint32_t done = 0;
    do {
        asm volatile(
            "{\n.reg .pred p;\nmbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\nselp.u32 %0, 1, 0, p;\n}\n"
            : "=r"(done)
            : "r"(smemAddress(barrier)), "r"(parity)
            : "memory");
    } while (!done);
#endif
}

// Copies the box at coordinates (c0 innermost .. c3) of the tensor `map` describes into shared memory at `dst`, and
// counts its bytes on `barrier`. Coordinates past the tensor's extent read as zeros.
__device__ __forceinline__ void tmaLoad4d(
    void* dst, const CUtensorMap* map, int c0, int c1, int c2, int c3, std::uint64_t* barrier)
{
#if SPW_WGMMA_ENABLED
    asm volatile("cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, "
                 "%4, %5}], [%6];\n" ::"r"(smemAddress(dst)),
                 "l"(reinterpret_cast<std::uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(c3),
                 "r"(smemAddress(barrier))
                 : "memory");
#endif
}

} // namespace spw::kernels::detail
