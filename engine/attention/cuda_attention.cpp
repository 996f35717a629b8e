#include "attention/cuda_attention.h"

#include "attention/attention_checks.h"
#include "common/error.h"
#include "kernels/block_sparse_attention.h"

#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <list>
#include <mutex>
#include <tuple>

namespace spw {

struct CudaLayoutTables {
    at::Tensor storage; // int32 on the device: every array of the LUT, each 16-byte aligned
    kernels::DeviceLut lut;
    bool dense = false; // every block of every head is nonzero
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

std::size_t alignedSize(std::size_t ints)
{
    return (ints + 3) / 4 * 4;
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
    static_assert(sizeof(kernels::WorkItem) == 6 * sizeof(std::int32_t));
    static_assert(sizeof(kernels::CombineGroup) == 4 * sizeof(std::int32_t));
    const std::size_t sliceKeysAt = 0;
    const std::size_t bitsAt = sliceKeysAt + alignedSize(host.sliceKeys.size());
    const std::size_t workAt = bitsAt + alignedSize(host.bits.size());
    const std::size_t combineAt = workAt + alignedSize(host.work.size() * 6);
    const std::size_t total = combineAt + alignedSize(host.combine.size() * 4);
    at::Tensor packed = at::zeros({ std::int64_t(std::max<std::size_t>(total, 4)) }, at::kInt);
    auto* base = packed.data_ptr<std::int32_t>();
    std::memcpy(base + sliceKeysAt, host.sliceKeys.data(), host.sliceKeys.size() * 4);
    std::memcpy(base + bitsAt, host.bits.data(), host.bits.size() * 4);
    std::memcpy(base + workAt, host.work.data(), host.work.size() * sizeof(kernels::WorkItem));
    std::memcpy(base + combineAt, host.combine.data(), host.combine.size() * sizeof(kernels::CombineGroup));

    auto tables = std::make_shared<CudaLayoutTables>();
    tables->storage = packed.to(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(deviceIndex)));
    const auto* device = tables->storage.data_ptr<std::int32_t>();
    tables->lut.sliceKeys = device + sliceKeysAt;
    tables->lut.bits = reinterpret_cast<const std::uint32_t*>(device + bitsAt);
    tables->lut.work = reinterpret_cast<const kernels::WorkItem*>(device + workAt);
    tables->lut.numWork = int(host.work.size());
    tables->lut.combine = reinterpret_cast<const kernels::CombineGroup*>(device + combineAt);
    tables->lut.numCombine = int(host.combine.size());
    tables->lut.numPartialSlots = host.numPartialSlots;
    tables->lut.tile = host.tile;
    tables->lut.block = host.block;
    tables->dense = std::all_of(layout.mask.begin(), layout.mask.end(), [](std::uint8_t b) { return b != 0; });
    return tables;
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

void fillStrides(std::int64_t (&dst)[3], const at::Tensor& t)
{
    dst[0] = t.stride(0);
    dst[1] = t.stride(1);
    dst[2] = t.stride(2);
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
    if (tables.lut.tile.tileM != kernels::tileConfigFor(int(query.size(3))).tileM
        || tables.storage.device() != query.device())
        fail("attention: the CUDA layout tables were prepared for another head dim or device");
    c10::cuda::CUDAGuard guard(query.device());

    const bool noMasks = !masks.keyPadding && !masks.attention;
    if (tables.dense && noMasks && route == DenseRoute::Sdpa)
        return at::scaled_dot_product_attention(query, key, value, {}, 0.0, false, scale);

    const at::ScalarType inputType = query.scalar_type();
    const at::ScalarType computeType = inputType == at::kHalf || inputType == at::kBFloat16 ? inputType : at::kHalf;
    const at::Tensor q = kernelReady(query, computeType);
    const at::Tensor k = kernelReady(key, computeType);
    const at::Tensor v = kernelReady(value, computeType);
    // The output is [B, H, L, D] laid out as [B, L, H, D]: the encoder merges the heads back by transposing, and
    // with this layout that transpose is free instead of another pass over the activations.
    at::Tensor out = at::empty({ q.size(0), q.size(2), q.size(1), q.size(3) }, q.options()).transpose(1, 2);

    kernels::AttentionParams p;
    p.dtype = computeType == at::kHalf ? kernels::DType::Float16 : kernels::DType::BFloat16;
    p.batch = int(q.size(0));
    p.heads = int(q.size(1));
    p.seqLen = int(q.size(2));
    p.headDim = int(q.size(3));
    p.q = q.data_ptr();
    p.k = k.data_ptr();
    p.v = v.data_ptr();
    p.out = out.data_ptr();
    fillStrides(p.qStride, q);
    fillStrides(p.kStride, k);
    fillStrides(p.vStride, v);
    fillStrides(p.outStride, out);
    p.scale = float(scale);

    at::Tensor keyPadding;
    if (masks.keyPadding) {
        keyPadding = masks.keyPadding->to(at::kFloat).contiguous();
        p.keyPadding = keyPadding.data_ptr<float>();
        p.keyPaddingBatchStride = keyPadding.stride(0);
        p.keyPaddingKind = masks.keyPaddingMode == MaskMode::Add ? kernels::MaskKind::Add : kernels::MaskKind::Mul;
    }
    at::Tensor attnMask;
    if (masks.attention) {
        if (masks.attentionMode == MaskMode::Add) {
            attnMask = masks.attention->to(at::kFloat).contiguous();
            p.attnMaskKind = kernels::MaskKind::Add;
        } else {
            attnMask = masks.attention->ne(0).to(at::kByte).contiguous();
            p.attnMaskKind = kernels::MaskKind::Mul;
        }
        p.attnMask = attnMask.data_ptr();
    }

    p.lut = tables.lut;
    p.pipelineStages = pipelineStagesOverride();
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
    p.stream = at::cuda::getCurrentCUDAStream(query.device().index()).stream();

    // The arguments were checked above, so what the launch reports is the device failing (or a launch error).
    const std::string error = kernels::blockSparseAttentionForward(p);
    if (!error.empty())
        failEnvironment("attention: {}", error);
    return computeType == inputType ? out : out.to(inputType);
}

} // namespace spw
