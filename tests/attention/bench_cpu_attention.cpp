// Benchmark (not a test): dense attention (matmul, softmax, matmul over the full L × L scores) against
// spw::blockSparseAttention on bslongformer-like band layouts (sliding window of 3 blocks, block 0 global), at
// L = 4096, D = 64. Prints a table of medians; the sparse / dense time ratio should be close to the density.
// Usage: bench_cpu_attention [heads (4)] [repeats (5)] [seq_len (4096)]
#include "attention/block_sparse_attention.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <vector>

namespace {

// Sliding window [row - 1, row + 1] plus global row and column 0, as DeepSpeed's BSLongformerSparsityConfig with
// num_sliding_window_blocks 3 and global_block_indices [0].
spw::Layout bandLayout(int heads, int numBlocks, int block)
{
    spw::Layout layout;
    layout.numHeads = heads;
    layout.numBlocks = numBlocks;
    layout.block = block;
    layout.mask.assign(std::size_t(heads) * numBlocks * numBlocks, 0);
    for (int h = 0; h < heads; ++h)
        for (int r = 0; r < numBlocks; ++r)
            for (int c = 0; c < numBlocks; ++c)
                layout.mask[layout.index(h, r, c)] = (std::abs(r - c) <= 1 || r == 0 || c == 0) ? 1 : 0;
    return layout;
}

double milliseconds(const std::function<void()>& work)
{
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    const int heads = argc > 1 ? std::atoi(argv[1]) : 4;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    const std::int64_t seqLen = argc > 3 ? std::atoll(argv[3]) : 4096;
    const std::int64_t batch = 1, headDim = 64;
    at::manual_seed(0);

    fmt::print("CPU attention, B={} H={} L={} D={} float32, {} intra-op threads, median of {}\n", batch, heads, seqLen,
        headDim, at::get_num_threads(), repeats);
    fmt::print("{:>6} {:>8} {:>10} {:>10} {:>8} {:>8}\n", "block", "density", "dense ms", "sparse ms", "ratio",
        "ratio/density");
    const at::Tensor q = at::randn({ batch, heads, seqLen, headDim });
    const at::Tensor k = at::randn({ batch, heads, seqLen, headDim });
    const at::Tensor v = at::randn({ batch, heads, seqLen, headDim });
    const double scale = 1.0 / std::sqrt(double(headDim));
    std::vector<std::function<void()>> runs { [&] {
        const at::Tensor p = at::softmax(at::matmul(q, k.transpose(-1, -2)).mul_(scale), -1);
        at::matmul(p, v);
    } };
    const std::vector<int> blocks { 64, 32, 16 };
    std::vector<spw::Layout> layouts;
    for (int block : blocks)
        layouts.push_back(bandLayout(heads, int(seqLen / block), block));
    for (const spw::Layout& layout : layouts)
        runs.push_back([&] { spw::blockSparseAttention(q, k, v, layout); });

    // Repeats interleave dense and sparse runs so that a busy machine slows both alike; one warm-up round first.
    std::vector<std::vector<double>> times(runs.size());
    for (int repeat = 0; repeat <= repeats; ++repeat)
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const double ms = milliseconds(runs[i]);
            if (repeat > 0)
                times[i].push_back(ms);
        }
    const double denseMs = median(times[0]);
    for (std::size_t i = 0; i < layouts.size(); ++i) {
        const spw::Layout& layout = layouts[i];
        const double nonzero = double(std::count(layout.mask.begin(), layout.mask.end(), 1));
        const double density = nonzero / double(layout.mask.size());
        const double sparseMs = median(times[i + 1]);
        const double ratio = sparseMs / denseMs;
        fmt::print("{:>6} {:>8.4f} {:>10.2f} {:>10.2f} {:>8.4f} {:>8.2f}\n", layout.block, density, denseMs, sparseMs,
            ratio, ratio / density);
    }
    return 0;
}
