#pragma once
// Device helpers shared by the forward and backward attention kernels: element types, the fast exp2, the swizzled
// shared-memory tile addressing and the one-time raise of a kernel's shared-memory limit.
#include "block_sparse_attention.h"
#include "mma_helpers.cuh"

#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>

namespace spw::kernels::detail {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;
constexpr int kTileN = 64;

template <DType kDType> struct DTypeOf;
template <> struct DTypeOf<DType::Float16> {
    using type = __half;
};
template <> struct DTypeOf<DType::BFloat16> {
    using type = __nv_bfloat16;
};

__device__ __forceinline__ float fastExp2(float x)
{
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
    return y;
}

// Element offset of (row, 16-byte chunk) in a [rows][D] shared tile, XOR-swizzled so that the 8 rows one
// ldmatrix phase reads fall into distinct bank groups.
template <int D> __device__ __forceinline__ int swizzled(int row, int chunk)
{
    constexpr int kChunks = D / 8;
    const int physical = kChunks >= 8 ? (chunk ^ (row & 7)) : (chunk ^ ((row >> 1) & 3));
    return row * D + physical * 8;
}

// Raises the kernel's dynamic shared-memory limit once per device (a driver call on every launch costs host time
// that a model calling the layer per step would pay each time). `doneDevices` must belong to this one kernel
// instance: every instance has the same function-pointer type, so a static here would be shared by all of them.
template <typename Kernel>
cudaError_t raiseSharedMemoryLimitOnce(Kernel kernel, int bytes, std::atomic<std::uint64_t>& doneDevices)
{
    int device = 0;
    cudaError_t status = cudaGetDevice(&device);
    if (status != cudaSuccess)
        return status;
    const std::uint64_t bit = device < 64 ? std::uint64_t(1) << device : 0;
    if (bit && (doneDevices.load(std::memory_order_acquire) & bit))
        return cudaSuccess;
    status = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
    if (status == cudaSuccess)
        doneDevices.fetch_or(bit, std::memory_order_acq_rel);
    return status;
}

} // namespace spw::kernels::detail
