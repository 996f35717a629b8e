#include "attention/cuda_attention.h"

#include "attention/attention_checks.h"
#include "common/error.h"
#include "kernels/block_sparse_attention.h"
#include "kernels/block_sparse_backward.h"

#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <list>
#include <mutex>
#include <sstream>
#include <string_view>
#include <tuple>
#include <utility>

namespace spw {

struct CudaLayoutTables {
    at::Tensor storage; // int32 on the device: every array of the LUT, each 16-byte aligned (kernels::packLut)
    kernels::DeviceLut lut;
    bool dense = false; // every block of every head is nonzero
    // The backward's key table, built on its first use: inference never needs it.
    mutable std::once_flag keyTableBuilt;
    mutable at::Tensor keyStorage;
    mutable kernels::DeviceLut keyLut;
};

namespace {

struct CacheKey {
    std::uint64_t hash;
    int numHeads, numBlocks, block, tileM, tileN, device;
    bool operator==(const CacheKey& o) const
    {
        return std::tie(hash, numHeads, numBlocks, block, tileM, tileN, device)
            == std::tie(o.hash, o.numHeads, o.numBlocks, o.block, o.tileM, o.tileN, o.device);
    }
};

struct CacheEntry {
    CacheKey key;
    std::vector<std::uint8_t> mask; // compared in full on a hash hit: a collision must not reuse wrong tables
    std::shared_ptr<const CudaLayoutTables> tables;
};

// A few layouts per process (one per model length and head dim in practice); least recently used goes first.
constexpr std::size_t kCacheCapacity = 32;

std::uint64_t hashBytes(const std::vector<std::uint8_t>& bytes)
{
    // 64-bit FNV-1a over 8-byte words: a 12 MB layout (block 16 at 16k tokens, 12 heads) hashes in about a ms.
    std::uint64_t hash = 1469598103934665603ull ^ bytes.size();
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, bytes.data() + i, 8);
        hash = (hash ^ word) * 1099511628211ull;
        hash ^= hash >> 29;
    }
    for (; i < bytes.size(); ++i)
        hash = (hash ^ bytes[i]) * 1099511628211ull;
    return hash;
}

// Copies a host table to the device; the view points into the returned storage.
std::pair<at::Tensor, kernels::DeviceLut> uploadLut(const kernels::LutHost& host, int deviceIndex)
{
    at::Tensor packed = at::empty({ std::int64_t(kernels::packedLutInts(host)) }, at::kInt);
    kernels::packLut(host, packed.data_ptr<std::int32_t>());
    at::Tensor onDevice = packed.to(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(deviceIndex)));
    const kernels::DeviceLut view = kernels::deviceLutView(host, onDevice.data_ptr<std::int32_t>());
    return { onDevice, view };
}

std::shared_ptr<const CudaLayoutTables> uploadTables(const Layout& layout, int headDim, int deviceIndex)
{
    kernels::LutHost host;
    try {
        host = kernels::buildAttentionLut(
            layout.mask.data(), layout.numHeads, layout.numBlocks, layout.block, kernels::tileConfigFor(headDim));
    } catch (const std::invalid_argument& e) {
        fail("attention: {}", e.what());
    }
    auto tables = std::make_shared<CudaLayoutTables>();
    std::tie(tables->storage, tables->lut) = uploadLut(host, deviceIndex);
    tables->dense = std::all_of(layout.mask.begin(), layout.mask.end(), [](std::uint8_t b) { return b != 0; });
    return tables;
}

// The key table of the layout `tables` was built for, uploaded on first use.
const kernels::DeviceLut& keyTable(const CudaLayoutTables& tables, const Layout& layout)
{
    std::call_once(tables.keyTableBuilt, [&] {
        kernels::LutHost host;
        try {
            host = kernels::buildKeyLut(layout.mask.data(), layout.numHeads, layout.numBlocks, layout.block);
        } catch (const std::invalid_argument& e) {
            fail("attention: {}", e.what());
        }
        std::tie(tables.keyStorage, tables.keyLut) = uploadLut(host, tables.storage.device().index());
    });
    return tables.keyLut;
}

void checkCudaSupport(const at::Tensor& query, const Layout& layout)
{
    if (!query.is_cuda())
        fail("attention: query is on {}, the CUDA kernels need CUDA tensors", query.device().str());
    const std::int64_t headDim = query.size(3);
    if (!kernels::headDimSupported(int(headDim)))
        fail("attention: head_dim {} is not supported by the CUDA kernels (32, 64 or 128)", headDim);
    if (!kernels::blockSupported(layout.block))
        fail("attention: layout block {} is not supported by the CUDA kernels (16, 32, 64 or 128)", layout.block);
    if (layout.seqLen() > std::numeric_limits<int>::max() / 2)
        fail("attention: seq_len {} is too long for the CUDA kernels", layout.seqLen());
}

// The kernels need the head dim contiguous, 16-byte aligned rows and strides in multiples of 8 elements.
at::Tensor kernelReady(const at::Tensor& tensor, at::ScalarType type)
{
    at::Tensor t = tensor.scalar_type() == type ? tensor : tensor.to(type);
    const bool strided = t.stride(3) == 1 && t.stride(0) % 8 == 0 && t.stride(1) % 8 == 0 && t.stride(2) % 8 == 0
        && reinterpret_cast<std::uintptr_t>(t.data_ptr()) % 16 == 0;
    return strided ? t : t.contiguous();
}

// Tuning knob: SPW_KERNEL_STAGES=2|3 overrides the kernels' choice of key/value pipeline stages (read per call, a
// scan of the environment: tests switch it between calls).
int pipelineStagesOverride()
{
    const char* value = std::getenv("SPW_KERNEL_STAGES");
    return value ? std::atoi(value) : 0;
}

// Tuning knob: SPW_MATRIX_PATH=mma-sync|wgmma|wgmma-tma forces the forward's tensor-core path (read per call; tests
// and benchmarks compare them). Anything else leaves the choice to the kernels.
kernels::MatrixPath matrixPathOverride()
{
    const char* value = std::getenv("SPW_MATRIX_PATH");
    if (value && std::string_view(value) == "mma-sync")
        return kernels::MatrixPath::MmaSync;
    if (value && std::string_view(value) == "wgmma")
        return kernels::MatrixPath::Wgmma;
    if (value && std::string_view(value) == "wgmma-tma")
        return kernels::MatrixPath::WgmmaTma;
    return kernels::MatrixPath::Auto;
}

void fillStrides(std::int64_t (&dst)[3], const at::Tensor& t)
{
    dst[0] = t.stride(0);
    dst[1] = t.stride(1);
    dst[2] = t.stride(2);
}

// The kernels' parameters for one call, with the tensors they point into kept alive.
struct KernelCall {
    at::ScalarType inputType, computeType;
    at::Tensor q, k, v, keyPadding, attnMask;
    kernels::AttentionParams params;
};

KernelCall prepareCall(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const CudaLayoutTables& tables, const AttentionMasks& masks, double scale)
{
    KernelCall call;
    call.inputType = query.scalar_type();
    call.computeType = call.inputType == at::kHalf || call.inputType == at::kBFloat16 ? call.inputType : at::kHalf;
    call.q = kernelReady(query, call.computeType);
    call.k = kernelReady(key, call.computeType);
    call.v = kernelReady(value, call.computeType);

    kernels::AttentionParams& p = call.params;
    p.dtype = call.computeType == at::kHalf ? kernels::DType::Float16 : kernels::DType::BFloat16;
    p.batch = int(call.q.size(0));
    p.heads = int(call.q.size(1));
    p.seqLen = int(call.q.size(2));
    p.headDim = int(call.q.size(3));
    p.q = call.q.data_ptr();
    p.k = call.k.data_ptr();
    p.v = call.v.data_ptr();
    fillStrides(p.qStride, call.q);
    fillStrides(p.kStride, call.k);
    fillStrides(p.vStride, call.v);
    p.scale = float(scale);
    if (masks.keyPadding) {
        call.keyPadding = masks.keyPadding->to(at::kFloat).contiguous();
        p.keyPadding = call.keyPadding.data_ptr<float>();
        p.keyPaddingBatchStride = call.keyPadding.stride(0);
        p.keyPaddingKind = masks.keyPaddingMode == MaskMode::Add ? kernels::MaskKind::Add : kernels::MaskKind::Mul;
    }
    if (masks.attention) {
        if (masks.attentionMode == MaskMode::Add) {
            call.attnMask = masks.attention->to(at::kFloat).contiguous();
            p.attnMaskKind = kernels::MaskKind::Add;
        } else {
            call.attnMask = masks.attention->ne(0).to(at::kByte).contiguous();
            p.attnMaskKind = kernels::MaskKind::Mul;
        }
        p.attnMask = call.attnMask.data_ptr();
    }
    p.lut = tables.lut;
    p.pipelineStages = pipelineStagesOverride();
    p.matrixPath = matrixPathOverride();
    p.stream = at::cuda::getCurrentCUDAStream(query.device().index()).stream();
    return call;
}

void checkTablesFit(const CudaLayoutTables& tables, const at::Tensor& query)
{
    if (tables.lut.tile.tileM != kernels::tileConfigFor(int(query.size(3))).tileM
        || tables.storage.device() != query.device())
        fail("attention: the CUDA layout tables were prepared for another head dim or device");
}

// Runs the forward kernels; `logSumExp`, when given, receives each row's log-sum-exp.
at::Tensor runForward(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const CudaLayoutTables& tables, const AttentionMasks& masks, double scale, at::Tensor* logSumExp)
{
    KernelCall call = prepareCall(query, key, value, tables, masks, scale);
    kernels::AttentionParams& p = call.params;
    // The output is [B, H, L, D] laid out as [B, L, H, D]: the encoder merges the heads back by transposing, and
    // with this layout that transpose is free instead of another pass over the activations.
    const at::Tensor& q = call.q;
    at::Tensor out = at::empty({ q.size(0), q.size(2), q.size(1), q.size(3) }, q.options()).transpose(1, 2);
    p.out = out.data_ptr();
    fillStrides(p.outStride, out);
    if (logSumExp) {
        *logSumExp = at::empty({ q.size(0), q.size(1), q.size(2) }, q.options().dtype(at::kFloat));
        p.logSumExp = logSumExp->data_ptr<float>();
    }
    // Split query tiles: fp32 partials, their row statistics and the counters, in one allocation.
    at::Tensor workspace;
    if (p.lut.numPartialSlots > 0) {
        const std::size_t outFloats = kernels::partialOutFloats(p.lut, p.batch, p.headDim);
        const std::size_t statFloats = kernels::partialStatsFloats(p.lut, p.batch);
        const std::size_t counters = kernels::combineCounterInts(p.lut, p.batch);
        static_assert(sizeof(int) == sizeof(float));
        workspace = at::empty({ std::int64_t(outFloats + statFloats + counters) }, q.options().dtype(at::kFloat));
        p.partialOut = workspace.data_ptr<float>();
        p.partialStats = p.partialOut + outFloats;
        p.combineCounters = reinterpret_cast<int*>(p.partialStats + statFloats);
    }
    const std::string error = kernels::blockSparseAttentionForward(p);
    if (!error.empty())
        failEnvironment("attention: {}", error);
    return call.computeType == call.inputType ? out : out.to(call.inputType);
}

std::string shapeOf(const at::Tensor& tensor)
{
    std::ostringstream out;
    out << tensor.sizes();
    return out.str();
}

void checkLike(const char* name, const at::Tensor& tensor, const at::Tensor& query)
{
    if (!tensor.defined())
        fail("attention backward: {} is undefined", name);
    if (tensor.sizes() != query.sizes())
        fail("attention backward: {} has shape {}, query has {}", name, shapeOf(tensor), shapeOf(query));
    if (tensor.device() != query.device())
        fail("attention backward: {} is on {}, query on {}", name, tensor.device().str(), query.device().str());
}

} // namespace

std::shared_ptr<const CudaLayoutTables> cudaLayoutTables(const Layout& layout, int headDim, int deviceIndex)
{
    static std::mutex mutex;
    static std::list<CacheEntry> cache;
    const kernels::TileConfig tile = kernels::tileConfigFor(headDim);
    // A layout from makeLayout/topLeft carries its fingerprint; only hand-built layouts are hashed here.
    const bool fingerprinted = layout.fingerprint != 0;
    const CacheKey key { fingerprinted ? layout.fingerprint : hashBytes(layout.mask), layout.numHeads, layout.numBlocks,
        layout.block, tile.tileM, tile.tileN, deviceIndex };
    std::lock_guard<std::mutex> lock(mutex);
    for (auto it = cache.begin(); it != cache.end(); ++it) {
        // The full comparison guards hand-built layouts against a hash collision; a fingerprint already covers the
        // shape and the whole mask, and comparing megabytes per call would cost more than the kernel.
        if (it->key == key && (fingerprinted || it->mask == layout.mask)) {
            cache.splice(cache.begin(), cache, it);
            return cache.front().tables;
        }
    }
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(deviceIndex));
    cache.push_front({ key, layout.mask, uploadTables(layout, headDim, deviceIndex) });
    if (cache.size() > kCacheCapacity)
        cache.pop_back();
    return cache.front().tables;
}

at::Tensor cudaBlockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const AttentionMasks& masks, double scale)
{
    checkAttentionArguments(query, key, value, layout, masks, scale);
    checkCudaSupport(query, layout);
    const auto tables = cudaLayoutTables(layout, int(query.size(3)), query.device().index());
    return cudaBlockSparseAttention(query, key, value, layout, *tables, masks, scale, DenseRoute::Sdpa);
}

at::Tensor cudaBlockSparseAttention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const Layout& layout, const CudaLayoutTables& tables, const AttentionMasks& masks, double scale, DenseRoute route)
{
    checkAttentionArguments(query, key, value, layout, masks, scale);
    checkCudaSupport(query, layout);
    checkTablesFit(tables, query);
    c10::cuda::CUDAGuard guard(query.device());
    const bool noMasks = !masks.keyPadding && !masks.attention;
    if (tables.dense && noMasks && route == DenseRoute::Sdpa)
        return at::scaled_dot_product_attention(query, key, value, {}, 0.0, false, scale);
    return runForward(query, key, value, tables, masks, scale, nullptr);
}

AttentionWithStats cudaBlockSparseAttentionWithStats(const at::Tensor& query, const at::Tensor& key,
    const at::Tensor& value, const Layout& layout, const AttentionMasks& masks, double scale)
{
    checkAttentionArguments(query, key, value, layout, masks, scale);
    checkCudaSupport(query, layout);
    c10::cuda::CUDAGuard guard(query.device());
    const auto tables = cudaLayoutTables(layout, int(query.size(3)), query.device().index());
    AttentionWithStats result;
    result.output = runForward(query, key, value, *tables, masks, scale, &result.logSumExp);
    return result;
}

AttentionGradients cudaBlockSparseAttentionBackward(const at::Tensor& gradOutput, const at::Tensor& query,
    const at::Tensor& key, const at::Tensor& value, const at::Tensor& output, const at::Tensor& logSumExp,
    const Layout& layout, const AttentionMasks& masks, double scale)
{
    checkAttentionArguments(query, key, value, layout, masks, scale);
    checkCudaSupport(query, layout);
    checkLike("gradient of the output", gradOutput, query);
    checkLike("output", output, query);
    const std::vector<std::int64_t> statsShape { query.size(0), query.size(1), query.size(2) };
    if (!logSumExp.defined() || logSumExp.sizes() != at::IntArrayRef(statsShape)
        || logSumExp.scalar_type() != at::kFloat || logSumExp.device() != query.device())
        fail("attention backward: logSumExp must be float32 [{}, {}, {}] on {}", statsShape[0], statsShape[1],
            statsShape[2], query.device().str());
    c10::cuda::CUDAGuard guard(query.device());
    const auto tables = cudaLayoutTables(layout, int(query.size(3)), query.device().index());
    const kernels::DeviceLut& keyLut = keyTable(*tables, layout);

    KernelCall call = prepareCall(query, key, value, *tables, masks, scale);
    const at::Tensor out = kernelReady(output, call.computeType);
    const at::Tensor gradOut = kernelReady(gradOutput, call.computeType);
    const at::Tensor lse = logSumExp.contiguous();
    const auto options = call.q.options().memory_format(at::MemoryFormat::Contiguous);
    const auto shape = call.q.sizes();
    AttentionGradients grads { at::empty(shape, options), at::empty(shape, options), at::empty(shape, options) };

    kernels::AttentionBackwardParams b;
    b.forward = call.params;
    b.forward.out = out.data_ptr();
    fillStrides(b.forward.outStride, out);
    b.gradOut = gradOut.data_ptr();
    fillStrides(b.gradOutStride, gradOut);
    b.logSumExp = lse.data_ptr<float>();
    b.gradQuery = grads.query.data_ptr();
    b.gradKey = grads.key.data_ptr();
    b.gradValue = grads.value.data_ptr();
    fillStrides(b.gradQueryStride, grads.query);
    fillStrides(b.gradKeyStride, grads.key);
    fillStrides(b.gradValueStride, grads.value);
    b.keyLut = keyLut;
    const std::size_t bytes = kernels::backwardWorkspaceBytes(
        b.forward.lut, keyLut, b.forward.batch, b.forward.heads, b.forward.seqLen, b.forward.headDim);
    const at::Tensor workspace = at::empty({ std::int64_t((bytes + 3) / 4) }, options.dtype(at::kFloat));
    b.workspace = workspace.data_ptr();
    const std::string error = kernels::blockSparseAttentionBackward(b);
    if (!error.empty())
        failEnvironment("attention: {}", error);
    if (call.computeType != call.inputType) {
        grads.query = grads.query.to(call.inputType);
        grads.key = grads.key.to(call.inputType);
        grads.value = grads.value.to(call.inputType);
    }
    return grads;
}

} // namespace spw
