// Builds the forward's TMA descriptors through the driver's cuTensorMapEncodeTiled, reached via the runtime's entry
// point lookup so that the library needs no link against libcuda.
#include "forward_tensor_maps.h"

#include <cuda_runtime.h>

namespace spw::kernels::detail {
namespace {

using EncodeTiled = CUresult (*)(CUtensorMap*, CUtensorMapDataType, cuuint32_t, void*, const cuuint64_t*,
    const cuuint64_t*, const cuuint32_t*, const cuuint32_t*, CUtensorMapInterleave, CUtensorMapSwizzle,
    CUtensorMapL2promotion, CUtensorMapFloatOOBfill);

EncodeTiled encodeTiled()
{
    static const EncodeTiled function = [] {
        void* found = nullptr;
        cudaDriverEntryPointQueryResult result = cudaDriverEntryPointSymbolNotFound;
        // 12000: the function's signature as of CUDA 12.0, which is the one declared above.
        if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &found, 12000, cudaEnableDefault, &result)
                != cudaSuccess
            || result != cudaDriverEntryPointSuccess)
            return EncodeTiled { nullptr };
        return reinterpret_cast<EncodeTiled>(found);
    }();
    return function;
}

std::string encode(CUtensorMap& map, const char* name, const void* data, const std::int64_t* stride,
    const AttentionParams& p, EncodeTiled function)
{
    constexpr cuuint64_t kElementBytes = 2;
    const cuuint64_t dims[4]
        = { cuuint64_t(p.headDim), cuuint64_t(p.seqLen), cuuint64_t(p.heads), cuuint64_t(p.batch) };
    const cuuint64_t strides[3] = { cuuint64_t(stride[2]) * kElementBytes, cuuint64_t(stride[1]) * kElementBytes,
        cuuint64_t(stride[0]) * kElementBytes };
    const cuuint32_t box[4] = { 64, 16, 1, 1 };
    const cuuint32_t elementStrides[4] = { 1, 1, 1, 1 };
    const CUresult result
        = function(&map, p.dtype == DType::Float16 ? CU_TENSOR_MAP_DATA_TYPE_FLOAT16 : CU_TENSOR_MAP_DATA_TYPE_BFLOAT16,
            4, const_cast<void*>(data), dims, strides, box, elementStrides, CU_TENSOR_MAP_INTERLEAVE_NONE,
            CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_128B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
    if (result != CUDA_SUCCESS)
        return std::string("block-sparse attention: TMA cannot describe the ") + name + " tensor (driver error "
            + std::to_string(int(result)) + ")";
    return {};
}

} // namespace

std::string encodeForwardTensorMaps(const AttentionParams& p, ForwardTensorMaps& maps)
{
    const EncodeTiled function = encodeTiled();
    if (!function)
        return "block-sparse attention: the driver offers no cuTensorMapEncodeTiled";
    for (const std::string& error : { encode(maps.query, "query", p.q, p.qStride, p, function),
             encode(maps.key, "key", p.k, p.kStride, p, function),
             encode(maps.value, "value", p.v, p.vStride, p, function) })
        if (!error.empty())
            return error;
    return {};
}

} // namespace spw::kernels::detail
