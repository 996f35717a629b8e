// `sparse-workbench-cli bench-attention`: times block-sparse attention for one configuration and shape against the
// dense attention LibTorch offers, in the same run on the same random inputs.
//   CUDA: our kernels (engine/attention/cuda_attention.h) against at::scaled_dot_product_attention, timed with CUDA
//         events after warm-up. A sample is `--calls` calls issued back to back between two events, divided by the
//         count, as a model issues its layers: the host work of one call overlaps the GPU work of the previous one,
//         so the number is GPU time. `ours_sync_ms` is one call per sample (host overhead included), for reference.
//   CPU: the engine's block-sparse path against eager matmul-softmax-matmul.
//   --backward (CUDA): forward with statistics plus backward (random gradient of the output) against SDPA forward
//         plus autograd backward; `ours_forward_ms` is the forward with statistics alone.
// Effective TFLOP/s counts only the layout's blocks: 4·B·H·L²·D·density / time. Reports medians.
#include "cli/commands.h"

#include "attention/block_sparse_attention.h"
#include "attention/dense_check.h"
#include "common/dtype_names.h"
#include "common/error.h"
#include "model/self_attention.h"
#include "profile/profile_report.h"
#include "sparsity/layout.h"
#include "sparsity/sparsity_config.h"

#ifdef SPW_TORCH_HAS_CUDA
#include "attention/cuda_attention.h"

#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <torch/csrc/autograd/autograd.h>
#endif

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <ostream>

namespace spw::cli {
namespace {

struct BenchSetup {
    std::int64_t batch, heads, seqLen, headDim;
    int warmup, repeats, calls;
    bool cuda;
    bool backward; // time forward + backward
    std::string kernel; // "auto" (dense layouts without masks go to SDPA) or "tiled"
};

struct Timing {
    double medianMs = 0;
    double minMs = 0;
    double peakMiB = -1; // peak device memory allocated during the timed calls, when known
};

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

Timing timeCpu(const std::function<void()>& call, const BenchSetup& setup)
{
    for (int i = 0; i < setup.warmup; ++i)
        call();
    std::vector<double> ms;
    for (int i = 0; i < setup.repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        call();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return { median(ms), *std::min_element(ms.begin(), ms.end()), -1 };
}

#ifdef SPW_TORCH_HAS_CUDA
// StatType::AGGREGATE (all pools); the enum's namespace moved between LibTorch versions, its value did not.
constexpr std::size_t kAggregateStat = 0;

Timing timeCuda(const std::function<void()>& call, const BenchSetup& setup, int calls)
{
    const auto device = c10::cuda::current_device();
    for (int i = 0; i < setup.warmup; ++i)
        call();
    at::cuda::getCurrentCUDAStream().synchronize();
    c10::cuda::CUDACachingAllocator::resetPeakStats(device);
    const auto baseline
        = c10::cuda::CUDACachingAllocator::getDeviceStats(device).allocated_bytes[kAggregateStat].current;
    std::vector<double> ms;
    for (int i = 0; i < setup.repeats; ++i) {
        at::cuda::CUDAEvent start(cudaEventDefault);
        at::cuda::CUDAEvent stop(cudaEventDefault);
        start.record();
        for (int c = 0; c < calls; ++c)
            call();
        stop.record();
        stop.synchronize();
        ms.push_back(start.elapsed_time(stop) / calls);
    }
    const auto peak = c10::cuda::CUDACachingAllocator::getDeviceStats(device).allocated_bytes[kAggregateStat].peak;
    return { median(ms), *std::min_element(ms.begin(), ms.end()), double(peak - baseline) / (1024.0 * 1024.0) };
}
#endif

at::Tensor eagerDense(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale)
{
    return at::matmul(at::softmax(at::matmul(q, k.transpose(-1, -2)).mul_(scale), -1), v);
}

// LibTorch's CPU kernels lack some half-precision operations (1.13: float16 matmul and softmax). One call of each
// path on a one-block input finds out, so that the message names the flag rather than LibTorch's kernel.
void checkCpuDtype(const Layout& layout, std::int64_t headDim, at::ScalarType type, const std::string& typeName)
{
    const Layout corner = layout.topLeft(1);
    const at::Tensor x = at::randn({ 1, corner.numHeads, corner.block, headDim }, at::TensorOptions().dtype(type));
    try {
        blockSparseAttention(x, x, x, corner, {}, 1.0);
        eagerDense(x, x, x, 1.0);
    } catch (const c10::Error&) {
        fail("bench-attention: --dtype {} is not computed by this LibTorch on the CPU: use --dtype float32 (the CPU "
             "default)",
            typeName);
    }
}

nlohmann::json errorJson(const DenseCheckError& error)
{
    return { { "max_abs_error", error.maxAbsolute }, { "relative_error", error.relative } };
}

nlohmann::json checkJson(const DenseCheck& check)
{
    nlohmann::json json = { { "output", errorJson(check.output) } };
    if (check.query) {
        json["grad_query"] = errorJson(*check.query);
        json["grad_key"] = errorJson(*check.key);
        json["grad_value"] = errorJson(*check.value);
    }
    return json;
}

std::string describeCheck(const DenseCheck& check)
{
    const auto describe = [](const char* name, const DenseCheckError& error) {
        return fmt::format("{} max |error| {:.3g} (relative {:.3g})", name, error.maxAbsolute, error.relative);
    };
    std::string text = describe("output", check.output);
    if (check.query)
        text += "; " + describe("dQ", *check.query) + "; " + describe("dK", *check.key) + "; "
            + describe("dV", *check.value);
    return text;
}

int runBenchAttention(const Arguments& args, std::ostream& out, std::ostream&)
{
    const std::string configPath = args.required("config");
    for (const char* flag : { "seq-len", "batch", "heads", "head-dim" })
        args.required(flag);
    BenchSetup setup;
    setup.seqLen = *args.integer("seq-len", 1, std::numeric_limits<std::int32_t>::max() / 2);
    setup.batch = *args.integer("batch", 1, 1 << 16);
    setup.heads = *args.integer("heads", 1, 4096);
    setup.headDim = *args.integer("head-dim", 1, 1024);
    setup.repeats = int(args.integer("repeats", 1, 100000).value_or(20));
    setup.warmup = int(args.integer("warmup", 0, 100000).value_or(5));
    setup.calls = int(args.integer("calls", 1, 10000).value_or(10));
    setup.cuda = args.choice("device", { "cuda", "cpu" }, "cuda") == "cuda";
    // Half precision is what the CUDA kernels are for; the CPU path computes best (and on LibTorch 1.13 only) in
    // float32.
    const std::string typeName
        = args.choice("dtype", { "float16", "bfloat16", "float32" }, setup.cuda ? "float16" : "float32");
    setup.kernel = args.choice("kernel", { "auto", "tiled" }, "auto");
    setup.backward = args.has("backward");
    const bool check = args.has("check");
    if (setup.backward && !setup.cuda)
        fail("bench-attention: --backward times the CUDA kernels (use --device cuda)");
    const auto seed = std::uint64_t(args.integer("seed", 0, std::numeric_limits<std::int64_t>::max()).value_or(0));
    const auto jsonPath = args.value("json");

    if (setup.cuda) {
#ifdef SPW_TORCH_HAS_CUDA
        if (!at::hasCUDA() || at::cuda::getNumGPUs() == 0)
            failEnvironment("bench-attention: --device cuda but no CUDA device is available (use --device cpu)");
#else
        failEnvironment("bench-attention: --device cuda but this build has no CUDA support (use --device cpu)");
#endif
    }

    const SparsityConfig config = loadSparsityConfig(configPath);
    if (config.numHeads != 0 && config.numHeads != setup.heads)
        fail("bench-attention: --heads {} differs from num_heads {} in {}", setup.heads, config.numHeads, configPath);
    if (setup.seqLen % config.block != 0)
        fail("bench-attention: --seq-len {} is not a multiple of the block {}", setup.seqLen, config.block);
    const Layout layout = makeLayout(config, setup.seqLen, int(setup.heads), config.seed.value_or(0));
    const LayoutStats stats = computeStats(layout);

    const auto type = dtypeFromName(typeName);
    if (!setup.cuda) {
        checkCpuDtype(layout, setup.headDim, type, typeName);
        checkDenseCpuAttentionFits(setup.batch, setup.heads, setup.seqLen, at::elementSize(type));
    }
    const at::Device device = setup.cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
    at::manual_seed(seed);
    const auto options = at::TensorOptions().dtype(type).device(device);
    const std::vector<std::int64_t> shape { setup.batch, setup.heads, setup.seqLen, setup.headDim };
    const at::Tensor q = at::randn(shape, options);
    const at::Tensor k = at::randn(shape, options);
    const at::Tensor v = at::randn(shape, options);
    const double scale = 1.0 / std::sqrt(double(setup.headDim));

    at::Tensor checkGradOutput; // --check --backward: the gradient of the output the backward was given
    Timing ours;
    Timing oursSync;
    Timing oursForward; // --backward: the forward with statistics alone
    Timing dense;
    std::string denseName;
    BlockSparseResult checked; // --check: one more call of the path timed, kept
    if (setup.cuda) {
#ifdef SPW_TORCH_HAS_CUDA
        if (setup.backward) {
            const at::Tensor gradOut = at::randn(shape, options);
            const auto forward = [&] { return cudaBlockSparseAttentionWithStats(q, k, v, layout, {}, scale); };
            const auto callOurs = [&] {
                const AttentionWithStats f = forward();
                cudaBlockSparseAttentionBackward(gradOut, q, k, v, f.output, f.logSumExp, layout, {}, scale);
            };
            ours = timeCuda(callOurs, setup, setup.calls);
            oursSync = timeCuda(callOurs, setup, 1);
            oursForward = timeCuda(forward, setup, setup.calls);
            if (check) {
                const AttentionWithStats f = forward();
                const AttentionGradients g
                    = cudaBlockSparseAttentionBackward(gradOut, q, k, v, f.output, f.logSumExp, layout, {}, scale);
                checked = { f.output, g.query, g.key, g.value };
                checkGradOutput = gradOut;
            }
            const at::Tensor qg = q.detach().requires_grad_(true);
            const at::Tensor kg = k.detach().requires_grad_(true);
            const at::Tensor vg = v.detach().requires_grad_(true);
            dense = timeCuda(
                [&] {
                    const at::Tensor o = at::scaled_dot_product_attention(qg, kg, vg, {}, 0.0, false, scale);
                    torch::autograd::grad({ o }, { qg, kg, vg }, { gradOut });
                },
                setup, setup.calls);
            denseName = "at::scaled_dot_product_attention forward + backward";
        } else {
            const auto tables = cudaLayoutTables(layout, int(setup.headDim), 0);
            const DenseRoute route = setup.kernel == "auto" ? DenseRoute::Sdpa : DenseRoute::Kernels;
            const auto callOurs = [&] { return cudaBlockSparseAttention(q, k, v, layout, *tables, {}, scale, route); };
            ours = timeCuda(callOurs, setup, setup.calls);
            oursSync = timeCuda(callOurs, setup, 1);
            if (check)
                checked.output = callOurs();
            dense = timeCuda(
                [&] { at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, scale); }, setup, setup.calls);
            denseName = "at::scaled_dot_product_attention";
        }
#endif
    } else {
        ours = timeCpu([&] { blockSparseAttention(q, k, v, layout, {}, scale); }, setup);
        if (check)
            checked.output = blockSparseAttention(q, k, v, layout, {}, scale);
        dense = timeCpu([&] { eagerDense(q, k, v, scale); }, setup);
        denseName = "eager matmul-softmax-matmul";
    }

    // Forward: QKᵀ and PV; backward: 5 products (S, dP, dV, dK, dQ), FlashAttention's count (ours recomputes S and
    // dP once more on the key side; not counted).
    const double flops = (setup.backward ? 14.0 : 4.0) * double(setup.batch) * double(setup.heads)
        * double(setup.seqLen) * double(setup.seqLen) * double(setup.headDim);
    const double oursTflops = flops * stats.density / (ours.medianMs * 1e-3) / 1e12;
    const double denseTflops = flops / (dense.medianMs * 1e-3) / 1e12;
    nlohmann::json result = { { "mode", modeName(config.mode) }, { "block", layout.block },
        { "density", stats.density }, { "seq_len", setup.seqLen }, { "batch", setup.batch }, { "heads", setup.heads },
        { "head_dim", setup.headDim }, { "dtype", typeName }, { "device", setup.cuda ? "cuda" : "cpu" },
        { "kernel", setup.kernel }, { "backward", setup.backward }, { "repeats", setup.repeats },
        { "calls_per_sample", setup.cuda ? setup.calls : 1 }, { "ours_ms", ours.medianMs },
        { "ours_min_ms", ours.minMs }, { "ours_effective_tflops", oursTflops }, { "ours_peak_mib", ours.peakMiB },
        { "ours_sync_ms", setup.cuda ? nlohmann::json(oursSync.medianMs) : nlohmann::json(nullptr) },
        { "ours_forward_ms", setup.backward ? nlohmann::json(oursForward.medianMs) : nlohmann::json(nullptr) },
        { "dense_baseline", denseName }, { "dense_ms", dense.medianMs }, { "dense_tflops", denseTflops },
        { "dense_peak_mib", dense.peakMiB }, { "speedup_vs_dense", dense.medianMs / ours.medianMs } };
    out << fmt::format("{} block {} (density {:.2f}%), B={} H={} L={} D={} {} on {}{}\n", modeName(config.mode),
        layout.block, 100.0 * stats.density, setup.batch, setup.heads, setup.seqLen, setup.headDim, typeName,
        setup.cuda ? "cuda" : "cpu", setup.backward ? ", forward + backward" : "");
    out << fmt::format("  block-sparse: {:.4f} ms  {:.1f} effective TFLOP/s\n", ours.medianMs, oursTflops);
    out << fmt::format("  dense ({}): {:.4f} ms  {:.1f} TFLOP/s\n", denseName, dense.medianMs, denseTflops);
    out << fmt::format("  speed-up vs dense: {:.2f}x\n", dense.medianMs / ours.medianMs);
    if (check) {
        const DenseCheck errors = checkAgainstDense(q, k, v, layout, scale, checked, checkGradOutput);
        out << fmt::format("  check against dense attention in {}: {}\n", type == at::kDouble ? "float64" : "float32",
            describeCheck(errors));
        result["check"] = checkJson(errors);
    }
    if (jsonPath) {
        writeReportFile(*jsonPath, result.dump(2) + '\n', "--json");
    }
    return 0;
}

} // namespace

Command benchAttentionCommand()
{
    CommandSpec spec { "bench-attention", "Time block-sparse attention against dense attention on random inputs", "", 0,
        0,
        { { "config", "CONFIG.json", "sparsity configuration (a ds_config or its sparse_attention object)" },
            { "seq-len", "L", "sequence length (a multiple of the block)" }, { "batch", "B", "batch size" },
            { "heads", "H", "number of heads" }, { "head-dim", "D", "head dimension (CUDA kernels: 32, 64 or 128)" },
            { "dtype", "TYPE", "float16 (default on cuda), bfloat16 or float32 (default on cpu)" },
            { "repeats", "N", "timed samples, the median is reported (default 20)" },
            { "calls", "N", "CUDA: calls issued back to back per timed sample (default 10)" },
            { "warmup", "N", "untimed calls first (default 5)" }, { "device", "DEV", "cuda (default) or cpu" },
            { "kernel", "K", "auto (dense layouts go to SDPA on CUDA, default) or tiled (always ours)" },
            { "seed", "S", "seed of the random inputs (default 0)" },
            { "backward", "", "CUDA: time forward + backward (gradients of query, key and value)" },
            { "check", "",
                "also compare the output (and with --backward the gradients) with dense attention masked by the "
                "layout, in float32, and print the error" },
            { "json", "OUT", "also write the results as JSON to this file" } } };
    return { spec, runBenchAttention };
}

} // namespace spw::cli
