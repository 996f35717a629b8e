// Entry point of the block-sparse attention forward: checks the parameter struct, picks the compiled instance
// (dtype × head dim) and runs the combine step that merges the partial results of split query tiles.
#include "block_sparse_attention.h"
#include "block_sparse_launch.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <climits>
#include <cstdint>

namespace spw::kernels {
namespace {

template <typename T>
__device__ __forceinline__ T fromFloat(float x);
template <>
__device__ __forceinline__ __half fromFloat<__half>(float x)
{
    return __float2half_rn(x);
}
template <>
__device__ __forceinline__ __nv_bfloat16 fromFloat<__nv_bfloat16>(float x)
{
    return __float2bfloat16_rn(x);
}

// One CTA per (split query tile, batch): out = Σ_i 2^(m_i - M) O_i / Σ_i 2^(m_i - M) l_i, M = max_i m_i.
template <typename T>
__global__ void combinePartialsKernel(const AttentionParams p)
{
    const CombineGroup group = p.lut.combine[blockIdx.x];
    const int b = blockIdx.y;
    const int tileM = p.lut.tile.tileM;
    const int headDim = p.headDim;
    T* oBase = static_cast<T*>(p.out) + b * p.outStride[0] + group.head * p.outStride[1];
    for (int idx = threadIdx.x; idx < tileM * headDim; idx += blockDim.x) {
        const int local = idx / headDim;
        const int d = idx % headDim;
        const int row = group.queryTile * tileM + local;
        if (row >= p.seqLen)
            continue;
        float maxAll = -INFINITY;
        for (int s = 0; s < group.numSlots; ++s) {
            const std::size_t at = (std::size_t(group.firstSlot + s) * p.batch + b) * tileM + local;
            maxAll = fmaxf(maxAll, p.partialStats[at * 2]);
        }
        float sum = 0.0f;
        float value = 0.0f;
        if (maxAll != -INFINITY) {
            for (int s = 0; s < group.numSlots; ++s) {
                const std::size_t at = (std::size_t(group.firstSlot + s) * p.batch + b) * tileM + local;
                const float weight = exp2f(p.partialStats[at * 2] - maxAll);
                sum += weight * p.partialStats[at * 2 + 1];
                value += weight * p.partialOut[at * headDim + d];
            }
        }
        oBase[std::int64_t(row) * p.outStride[2] + d] = fromFloat<T>(sum > 0.0f ? value / sum : 0.0f);
    }
}

bool aligned16(const void* pointer) { return (reinterpret_cast<std::uintptr_t>(pointer) & 15) == 0; }

std::string checkTensor(const char* name, const void* pointer, const std::int64_t* stride)
{
    if (!pointer)
        return std::string("block-sparse attention: ") + name + " is null";
    if (!aligned16(pointer))
        return std::string("block-sparse attention: ") + name + " is not 16-byte aligned";
    for (int i = 0; i < 3; ++i)
        if (stride[i] % 8 != 0)
            return std::string("block-sparse attention: ") + name +
                   " strides must be multiples of 8 elements (16 bytes)";
    return {};
}

std::string checkParams(const AttentionParams& p)
{
    if (p.batch <= 0 || p.heads <= 0 || p.seqLen <= 0)
        return "block-sparse attention: batch, heads and seq_len must be positive";
    if (!headDimSupported(p.headDim))
        return "block-sparse attention: head dim " + std::to_string(p.headDim) +
               " is not supported (32, 64 or 128)";
    if (p.dtype != DType::Float16 && p.dtype != DType::BFloat16)
        return "block-sparse attention: dtype must be float16 or bfloat16";
    for (const std::string& error : {checkTensor("query", p.q, p.qStride), checkTensor("key", p.k, p.kStride),
                                     checkTensor("value", p.v, p.vStride),
                                     checkTensor("output", p.out, p.outStride)})
        if (!error.empty())
            return error;
    const TileConfig expected = tileConfigFor(p.headDim);
    if (p.lut.tile.tileM != expected.tileM || p.lut.tile.tileN != expected.tileN)
        return "block-sparse attention: lookup table was built for another tile shape";
    if (!p.lut.keyTiles || !p.lut.bits || !p.lut.work || p.lut.numWork <= 0)
        return "block-sparse attention: lookup table is missing";
    if (static_cast<long long>(p.lut.numWork) * p.batch > INT_MAX)
        return "block-sparse attention: too many tiles for one launch";
    if (p.lut.numPartialSlots > 0 && (!p.partialOut || !p.partialStats || !p.lut.combine))
        return "block-sparse attention: split tiles need the partial-result workspace";
    if (p.keyPaddingKind != MaskKind::None && !p.keyPadding)
        return "block-sparse attention: key padding mask is null";
    if (p.attnMaskKind != MaskKind::None && !p.attnMask)
        return "block-sparse attention: attention mask is null";
    return {};
}

template <typename T>
std::string launchCombine(const AttentionParams& p)
{
    dim3 grid(static_cast<unsigned>(p.lut.numCombine), static_cast<unsigned>(p.batch));
    combinePartialsKernel<T><<<grid, 256, 0, p.stream>>>(p);
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        return std::string("block-sparse attention combine launch failed: ") + cudaGetErrorString(status);
    return {};
}

} // namespace

std::string blockSparseAttentionForward(const AttentionParams& params)
{
    std::string error = checkParams(params);
    if (!error.empty())
        return error;
    AttentionParams p = params;
    if (p.rowGroupsPerWarp != 1 && p.rowGroupsPerWarp != 2)
        p.rowGroupsPerWarp = rowGroupsFor(p.lut.block, p.headDim);
    error = SPW_DTYPE_SWITCH(p.dtype, kDType, [&] {
        return SPW_HEADDIM_SWITCH(params.headDim, kHeadDim,
                                  [&] { return detail::launchForward<kDType, kHeadDim>(p); });
    });
    if (!error.empty() || p.lut.numCombine == 0)
        return error;
    return p.dtype == DType::Float16 ? launchCombine<__half>(p) : launchCombine<__nv_bfloat16>(p);
}

} // namespace spw::kernels
