#pragma once
// Thin wrappers over Hopper's warpgroup matrix instructions (sm_90a): wgmma.mma_async with the A operand in
// registers and B read from shared memory through a matrix descriptor, its fence / commit / wait, and the descriptor
// of a 128-byte-swizzled tile. Only the translation units built for sm_90a (CUDA_ARCHITECTURES 90a) compile the
// instructions; elsewhere the fence traps and the rest compile to nothing, and the launcher never picks the warpgroup
// path there.
//
// Register layouts (PTX ISA, "wgmma .m64nNk16"): warp w of the warpgroup owns rows 16w..16w+15, and within a warp
// both the f32 accumulator fragment d[j][0..3] (row g or g+8, columns 8j + 2t, +1; g = lane/4, t = lane%4) and the
// A fragment a[0..3] are those of mma.sync m16n8k16, so scores computed here feed the next product as they are.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

namespace spw::kernels::detail {

#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define SPW_WGMMA_ENABLED 1
#else
#define SPW_WGMMA_ENABLED 0
#endif

// Shared-memory tile layout the descriptors below describe: rows of 64 elements (128 bytes), 16-byte chunk c of row r
// stored at chunk c ^ (r % 8) (the hardware's 128-byte swizzle, which repeats every 8 rows = 1024 bytes); a head dim
// of 128 is two such column halves of `rows` rows each, one after the other. Tiles start 1024-byte aligned.
template <int kRows> __device__ __forceinline__ int wgmmaTileOffset(int row, int chunk)
{
    return (chunk / 8) * kRows * 64 + row * 64 + ((chunk % 8) ^ (row % 8)) * 8;
}

// Descriptor of a 128-byte-swizzled operand at `address` (shared window, 16-byte units): bits 0-13 the start
// address, 16-29 the leading and 32-45 the stride byte offsets (16-byte units), 62-63 the swizzle mode (1 = 128 B).
// K-major (rows contiguous along the reduction): the stride offset steps over 8-row groups (1024 B) and the leading
// one is unused. MN-major (the V tile, contiguous along N): the stride offset steps over 8 rows of the reduction
// (1024 B), the leading one over 64-column halves of N.
__device__ __forceinline__ std::uint64_t wgmmaDescriptor(std::uint32_t address, std::uint32_t leadingBytes)
{
    constexpr std::uint64_t kStrideBytes = 1024;
    return std::uint64_t((address & 0x3FFFF) >> 4) | (std::uint64_t((leadingBytes >> 4) & 0x3FFF) << 16)
        | (std::uint64_t(kStrideBytes >> 4) << 32) | (std::uint64_t(1) << 62);
}

// Makes this thread's generic-proxy shared-memory writes (cp.async, st.shared) visible to the async proxy the
// wgmma reads through; each writing thread runs it before the barrier that precedes the wgmma.
__device__ __forceinline__ void fenceProxyAsyncShared()
{
#if SPW_WGMMA_ENABLED
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
#endif
}

// Orders this warpgroup's register writes (accumulators rescaled, fragments packed) before the next wgmma reads them.
__device__ __forceinline__ void wgmmaFence()
{
#if SPW_WGMMA_ENABLED
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#else
    __trap();
#endif
}

__device__ __forceinline__ void wgmmaCommit()
{
#if SPW_WGMMA_ENABLED
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
#endif
}

template <int N> __device__ __forceinline__ void wgmmaWait()
{
#if SPW_WGMMA_ENABLED
    asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
#endif
}

// The wgmma writes its accumulators and reads its A registers asynchronously: the compiler sees them as written by
// the issuing asm statement. Passing them through an empty asm after the wait keeps reads after it, and keeps the A
// registers from being reused before it.
template <int kRows> __device__ __forceinline__ void wgmmaKeepRegisters(float (&d)[kRows][4])
{
#pragma unroll
    for (int j = 0; j < kRows; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e)
            asm volatile("" : "+f"(d[j][e])::"memory");
}

__device__ __forceinline__ void wgmmaKeepRegisters(std::uint32_t (&a)[4])
{
#pragma unroll
    for (int e = 0; e < 4; ++e)
        asm volatile("" : "+r"(a[e])::"memory");
}

#define SPW_ACC4(j) "+f"(d[j][0]), "+f"(d[j][1]), "+f"(d[j][2]), "+f"(d[j][3])

// d (64 × 64, f32) = a (64 × 16, registers or shared memory) · B (16 × 64, shared memory), plus d when `accumulate`.
// kTransposeB = 0: B stored 64 rows × 16 (K-major); 1: 16 rows × 64 (MN-major).
template <typename T> struct Wgmma;

#define SPW_DEFINE_WGMMA(TYPE, SUFFIX)                                                                                 \
    template <> struct Wgmma<TYPE> {                                                                                   \
        template <int kTransposeB>                                                                                     \
        __device__ __forceinline__ static void n64(                                                                    \
            float (&d)[8][4], const std::uint32_t (&a)[4], std::uint64_t b, bool accumulate)                           \
        {                                                                                                              \
            if constexpr (SPW_WGMMA_ENABLED) {                                                                         \
                asm volatile(                                                                                          \
                    "{\n.reg .pred p;\nsetp.ne.b32 p, %37, 0;\n"                                                       \
                    "wgmma.mma_async.sync.aligned.m64n64k16.f32" SUFFIX " "                                            \
                    "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, "           \
                    "%19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, "                               \
                    "{%32, %33, %34, %35}, %36, p, 1, 1, %38;\n}\n"                                                    \
                    : SPW_ACC4(0), SPW_ACC4(1), SPW_ACC4(2), SPW_ACC4(3), SPW_ACC4(4), SPW_ACC4(5), SPW_ACC4(6),       \
                    SPW_ACC4(7)                                                                                        \
                    : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b), "r"(int(accumulate)), "n"(kTransposeB));     \
            }                                                                                                          \
        }                                                                                                              \
        /* The same with A (64 × 16, K-major) read from shared memory through its descriptor too. */                  \
        template <int kTransposeB>                                                                                     \
        __device__ __forceinline__ static void n64(                                                                    \
            float (&d)[8][4], std::uint64_t a, std::uint64_t b, bool accumulate)                                       \
        {                                                                                                              \
            if constexpr (SPW_WGMMA_ENABLED) {                                                                         \
                asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %34, 0;\n"                                              \
                             "wgmma.mma_async.sync.aligned.m64n64k16.f32" SUFFIX " "                                   \
                             "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, "  \
                             "%19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, "                      \
                             "%32, %33, p, 1, 1, 0, %35;\n}\n"                                                         \
                             : SPW_ACC4(0), SPW_ACC4(1), SPW_ACC4(2), SPW_ACC4(3), SPW_ACC4(4), SPW_ACC4(5),           \
                             SPW_ACC4(6), SPW_ACC4(7)                                                                  \
                             : "l"(a), "l"(b), "r"(int(accumulate)), "n"(kTransposeB));                                \
            }                                                                                                          \
        }                                                                                                              \
    };

SPW_DEFINE_WGMMA(__half, ".f16.f16")
SPW_DEFINE_WGMMA(__nv_bfloat16, ".bf16.bf16")

#undef SPW_DEFINE_WGMMA
#undef SPW_ACC4

} // namespace spw::kernels::detail
