// Entry point of the block-sparse attention backward: checks the parameter struct, carves the workspace, zeroes the
// counters that elect the CTA adding a split tile's partial sums, and picks the compiled instance (dtype × head dim).
#include "block_sparse_backward.h"
#include "block_sparse_launch.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace spw::kernels {
namespace {

std::size_t aligned16(std::size_t bytes)
{
    return (bytes + 15) / 16 * 16;
}

// Byte offsets of the workspace's arrays; the two counter arrays come last and adjacent (one memset).
struct WorkspaceLayout {
    std::size_t delta, lse, partialQuery, partialKeyValue, queryCounters, keyValueCounters, total;
};

WorkspaceLayout workspaceLayout(
    const DeviceLut& queryLut, const DeviceLut& keyLut, int batch, int heads, int seqLen, int headDim)
{
    const std::size_t rows = std::size_t(batch) * heads * seqLen;
    WorkspaceLayout at {};
    at.delta = 0;
    at.lse = at.delta + aligned16(rows * sizeof(float));
    at.partialQuery = at.lse + aligned16(rows * sizeof(float));
    at.partialKeyValue = at.partialQuery
        + aligned16(std::size_t(queryLut.numPartialSlots) * batch * queryLut.tile.tileM * headDim * sizeof(float));
    at.queryCounters = at.partialKeyValue
        + aligned16(std::size_t(keyLut.numPartialSlots) * batch * keyLut.tile.tileM * 2 * headDim * sizeof(float));
    at.keyValueCounters = at.queryCounters + std::size_t(queryLut.numCombine) * batch * sizeof(int);
    at.total = aligned16(at.keyValueCounters + std::size_t(keyLut.numCombine) * batch * sizeof(int));
    return at;
}

std::string checkBackwardArguments(const AttentionBackwardParams& params)
{
    const AttentionParams& p = params.forward;
    std::string error = detail::checkForwardArguments(p);
    if (!error.empty())
        return error;
    for (const std::string& tensorError :
        { detail::checkTensor("gradient of the output", params.gradOut, params.gradOutStride),
            detail::checkTensor("query gradient", params.gradQuery, params.gradQueryStride),
            detail::checkTensor("key gradient", params.gradKey, params.gradKeyStride),
            detail::checkTensor("value gradient", params.gradValue, params.gradValueStride) })
        if (!tensorError.empty())
            return tensorError;
    if (!params.logSumExp)
        return "block-sparse attention backward: the forward's log-sum-exp is null";
    error = detail::checkLut("key lookup table", params.keyLut, keyTileConfig(), p);
    if (!error.empty())
        return error;
    if (!params.keyLut.rowSlices)
        return "block-sparse attention backward: the key lookup table has no key slices (build it with buildKeyLut)";
    if (params.keyLut.block != p.lut.block)
        return "block-sparse attention backward: the key and query lookup tables come from different layouts";
    if (!params.workspace || (reinterpret_cast<std::uintptr_t>(params.workspace) & 15) != 0)
        return "block-sparse attention backward: the workspace is null or not 16-byte aligned";
    return {};
}

} // namespace

std::size_t backwardWorkspaceBytes(
    const DeviceLut& queryLut, const DeviceLut& keyLut, int batch, int heads, int seqLen, int headDim)
{
    return workspaceLayout(queryLut, keyLut, batch, heads, seqLen, headDim).total;
}

std::string blockSparseAttentionBackward(const AttentionBackwardParams& params)
{
    const std::string error = checkBackwardArguments(params);
    if (!error.empty())
        return error;
    const AttentionParams& p = params.forward;
    const WorkspaceLayout at = workspaceLayout(p.lut, params.keyLut, p.batch, p.heads, p.seqLen, p.headDim);
    auto* base = static_cast<unsigned char*>(params.workspace);
    detail::BackwardLaunch launch { params, reinterpret_cast<float*>(base + at.delta),
        reinterpret_cast<float*>(base + at.lse), reinterpret_cast<float*>(base + at.partialQuery),
        reinterpret_cast<float*>(base + at.partialKeyValue), reinterpret_cast<int*>(base + at.queryCounters),
        reinterpret_cast<int*>(base + at.keyValueCounters) };
    if (at.total > at.queryCounters) {
        const cudaError_t status = cudaMemsetAsync(base + at.queryCounters, 0, at.total - at.queryCounters, p.stream);
        if (status != cudaSuccess)
            return std::string("block-sparse attention backward: cannot clear the combine counters: ")
                + cudaGetErrorString(status);
    }
    return SPW_DTYPE_SWITCH(p.dtype, kDType, [&] {
        return SPW_HEADDIM_SWITCH(
            p.headDim, kHeadDim, [&] { return detail::launchBackward<kDType, kHeadDim>(launch); });
    });
}

} // namespace spw::kernels
