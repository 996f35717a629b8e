// Entry point of the block-sparse attention forward: checks the parameter struct, zeroes the counters that elect the
// CTA merging a split query tile, and picks the compiled instance (matrix path × dtype × head dim × pipeline depth).
#include "block_sparse_attention.h"
#include "block_sparse_launch.h"

#include <cuda_runtime.h>

#include <climits>
#include <cstdint>

namespace spw::kernels {
namespace detail {

bool aligned16(const void* pointer)
{
    return (reinterpret_cast<std::uintptr_t>(pointer) & 15) == 0;
}

std::string checkTensor(const char* name, const void* pointer, const std::int64_t* stride)
{
    if (!pointer)
        return std::string("block-sparse attention: ") + name + " is null";
    if (!aligned16(pointer))
        return std::string("block-sparse attention: ") + name + " is not 16-byte aligned";
    for (int i = 0; i < 3; ++i)
        if (stride[i] % 8 != 0)
            return std::string("block-sparse attention: ") + name
                + " strides must be multiples of 8 elements (16 bytes)";
    return {};
}

std::string checkLut(const char* name, const DeviceLut& lut, TileConfig expected, const AttentionParams& p)
{
    if (lut.tile.tileM != expected.tileM || lut.tile.tileN != expected.tileN)
        return std::string("block-sparse attention: ") + name + " was built for another tile shape";
    if (!lut.sliceKeys || !lut.bits || !lut.work || lut.numWork <= 0)
        return std::string("block-sparse attention: ") + name + " is missing";
    if (lut.numHeads != p.heads || lut.seqLen() != p.seqLen)
        return std::string("block-sparse attention: ") + name + " was built for " + std::to_string(lut.numHeads)
            + " heads x " + std::to_string(lut.seqLen()) + " tokens, the inputs have " + std::to_string(p.heads)
            + " heads x " + std::to_string(p.seqLen);
    if (static_cast<long long>(lut.numWork) * p.batch > INT_MAX)
        return "block-sparse attention: too many tiles for one launch";
    return {};
}

std::string checkForwardArguments(const AttentionParams& p)
{
    if (p.batch <= 0 || p.heads <= 0 || p.seqLen <= 0)
        return "block-sparse attention: batch, heads and seq_len must be positive";
    if (!headDimSupported(p.headDim))
        return "block-sparse attention: head dim " + std::to_string(p.headDim) + " is not supported (32, 64 or 128)";
    if (p.dtype != DType::Float16 && p.dtype != DType::BFloat16)
        return "block-sparse attention: dtype must be float16 or bfloat16";
    for (const std::string& error : { checkTensor("query", p.q, p.qStride), checkTensor("key", p.k, p.kStride),
             checkTensor("value", p.v, p.vStride), checkTensor("output", p.out, p.outStride) })
        if (!error.empty())
            return error;
    const std::string lutError = checkLut("lookup table", p.lut, tileConfigFor(p.headDim), p);
    if (!lutError.empty())
        return lutError;
    if (p.keyPaddingKind != MaskKind::None && !p.keyPadding)
        return "block-sparse attention: key padding mask is null";
    if (p.attnMaskKind != MaskKind::None && !p.attnMask)
        return "block-sparse attention: attention mask is null";
    return {};
}

// wgmma needs the sm_90a instances, which run on compute capability 9.0 only.
bool deviceRunsWgmma()
{
    int device = 0;
    int major = 0;
    int minor = 0;
    return cudaGetDevice(&device) == cudaSuccess
        && cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess
        && cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) == cudaSuccess && major == 9
        && minor == 0;
}

// Empty, or why the asked path cannot run; `path` receives the path taken (never Auto). The TMA pipeline also needs
// descriptors of the operands, encoded into `maps`; where the driver cannot describe them, Auto takes mma.sync.
std::string resolveMatrixPath(const AttentionParams& p, MatrixPath& path, ForwardTensorMaps& maps)
{
    const bool wgmmaRuns = (p.headDim == 64 || p.headDim == 128) && deviceRunsWgmma();
    const bool wgmmaAsked = p.matrixPath == MatrixPath::Wgmma || p.matrixPath == MatrixPath::WgmmaTma;
    if (wgmmaAsked && !wgmmaRuns)
        return "block-sparse attention: the wgmma path needs head dim 64 or 128 on a compute capability 9.0 GPU";
    path = p.matrixPath;
    if (path == MatrixPath::Auto)
        path = wgmmaRuns && wgmmaPreferred(p.lut.block, p.headDim) ? MatrixPath::WgmmaTma : MatrixPath::MmaSync;
    if (path != MatrixPath::WgmmaTma)
        return {};
    std::string error = encodeForwardTensorMaps(p, maps);
    if (!error.empty() && p.matrixPath == MatrixPath::Auto) {
        path = MatrixPath::MmaSync;
        error.clear();
    }
    return error;
}

} // namespace detail

std::string blockSparseAttentionForward(const AttentionParams& params)
{
    std::string error = detail::checkForwardArguments(params);
    if (!error.empty())
        return error;
    if (params.lut.numPartialSlots > 0
        && (!params.partialOut || !params.partialStats || !params.combineCounters || !params.lut.combine))
        return "block-sparse attention: split tiles need the partial-result workspace";
    // A path that cannot run is refused before anything reaches the device.
    MatrixPath path = MatrixPath::MmaSync;
    detail::ForwardTensorMaps maps;
    error = detail::resolveMatrixPath(params, path, maps);
    if (!error.empty())
        return error;
    AttentionParams p = params;
    if (p.pipelineStages != 2 && p.pipelineStages != 3)
        p.pipelineStages = pipelineStagesFor(p.lut.block, p.headDim);
    if (p.lut.numCombine > 0) {
        const cudaError_t status
            = cudaMemsetAsync(p.combineCounters, 0, combineCounterInts(p.lut, p.batch) * sizeof(int), p.stream);
        if (status != cudaSuccess)
            return std::string("block-sparse attention: cannot clear the combine counters: ")
                + cudaGetErrorString(status);
    }
    if (path == MatrixPath::WgmmaTma)
        return SPW_DTYPE_SWITCH(p.dtype, kDType, [&] {
            return p.headDim == 64 ? detail::launchForwardTma<kDType, 64>(p, maps)
                                   : detail::launchForwardTma<kDType, 128>(p, maps);
        });
    if (path == MatrixPath::Wgmma)
        return SPW_DTYPE_SWITCH(p.dtype, kDType, [&] {
            return p.headDim == 64 ? detail::launchForwardWgmma<kDType, 64>(p)
                                   : detail::launchForwardWgmma<kDType, 128>(p);
        });
    return SPW_DTYPE_SWITCH(p.dtype, kDType, [&] {
        return SPW_HEADDIM_SWITCH(params.headDim, kHeadDim, [&] { return detail::launchForward<kDType, kHeadDim>(p); });
    });
}

} // namespace spw::kernels
