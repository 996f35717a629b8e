#pragma once
// Thin wrappers over the sm_80+ instructions the attention kernels use: cp.async (16-byte global → shared copies,
// zero-filled past the end of the data), ldmatrix and the m16n8k16 tensor-core product with fp32 accumulation.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

namespace spw::kernels::detail {

__device__ __forceinline__ std::uint32_t smemAddress(const void* pointer)
{
    return static_cast<std::uint32_t>(__cvta_generic_to_shared(pointer));
}

// Copies 16 bytes, or writes 16 zero bytes when `valid` is false (src is then not read).
__device__ __forceinline__ void cpAsync16(void* dst, const void* src, bool valid)
{
    const int bytes = valid ? 16 : 0;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smemAddress(dst)), "l"(src), "r"(bytes));
}

__device__ __forceinline__ void cpAsyncCommit()
{
    asm volatile("cp.async.commit_group;\n" ::);
}

template <int N> __device__ __forceinline__ void cpAsyncWait()
{
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

__device__ __forceinline__ void ldmatrixX4(std::uint32_t (&r)[4], const void* address)
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smemAddress(address)));
}

__device__ __forceinline__ void ldmatrixX4Trans(std::uint32_t (&r)[4], const void* address)
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smemAddress(address)));
}

template <typename T> struct Mma;

template <> struct Mma<__half> {
    __device__ __forceinline__ static void run(
        float (&c)[4], const std::uint32_t (&a)[4], std::uint32_t b0, std::uint32_t b1)
    {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "
                     "{%8, %9}, {%0, %1, %2, %3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
    __device__ __forceinline__ static std::uint32_t pack(float lo, float hi)
    {
        __half2 v = __floats2half2_rn(lo, hi);
        return *reinterpret_cast<std::uint32_t*>(&v);
    }
    __device__ __forceinline__ static float2 unpack(std::uint32_t packed)
    {
        return __half22float2(*reinterpret_cast<const __half2*>(&packed));
    }
};

template <> struct Mma<__nv_bfloat16> {
    __device__ __forceinline__ static void run(
        float (&c)[4], const std::uint32_t (&a)[4], std::uint32_t b0, std::uint32_t b1)
    {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "
                     "{%8, %9}, {%0, %1, %2, %3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
    __device__ __forceinline__ static std::uint32_t pack(float lo, float hi)
    {
        __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
        return *reinterpret_cast<std::uint32_t*>(&v);
    }
    __device__ __forceinline__ static float2 unpack(std::uint32_t packed)
    {
        return __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(&packed));
    }
};

} // namespace spw::kernels::detail
