// checkAgainstDense() (bench-attention --check): the engine's block-sparse attention and its gradients measured
// against it are within rounding, across the checker's row chunks and over a layout row that attends nothing; a
// deliberate error in the output or in one gradient is reported at its size, and only there; the CLI prints the
// comparison and writes it to --json.
#include "attention/block_sparse_attention.h"
#include "attention/dense_check.h"
#include "common/run_cli.h"
#include "common/temp_dir.h"
#include "dense_reference.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace spw;

namespace {

struct Inputs {
    at::Tensor q, k, v, gradOut;
};

Inputs randomInputs(std::int64_t batch, const Layout& layout, std::int64_t headDim, at::ScalarType type)
{
    at::manual_seed(5);
    const std::vector<std::int64_t> shape { batch, layout.numHeads, layout.seqLen(), headDim };
    const auto options = at::TensorOptions().dtype(type);
    return { at::randn(shape, options), at::randn(shape, options), at::randn(shape, options),
        at::randn(shape, options) };
}

BlockSparseResult engineResult(const Inputs& in, const Layout& layout, double scale)
{
    const AttentionWithStats forward = blockSparseAttentionWithStats(in.q, in.k, in.v, layout, {}, scale);
    const AttentionGradients gradients = blockSparseAttentionBackward(
        in.gradOut, in.q, in.k, in.v, forward.output, forward.logSumExp, layout, {}, scale);
    return { forward.output, gradients.query, gradients.key, gradients.value };
}

Layout withEmptyRow(Layout layout, int head, int row)
{
    for (int col = 0; col < layout.numBlocks; ++col)
        layout.mask[layout.index(head, row, col)] = 0;
    return layout;
}

TEST(DenseCheck, TheEnginesAttentionAndGradientsAreWithinRounding)
{
    const Layout layout = withEmptyRow(test::randomLayout(3, 6, 16, 0.4, 9), 1, 2);
    const Inputs in = randomInputs(2, layout, 8, at::kDouble);
    const double scale = 0.35;
    const DenseCheck check
        = checkAgainstDense(in.q, in.k, in.v, layout, scale, engineResult(in, layout, scale), in.gradOut);
    EXPECT_LT(check.output.relative, 1e-12);
    ASSERT_TRUE(check.query && check.key && check.value);
    for (const DenseCheckError* error : { &check.output, &*check.query, &*check.key, &*check.value }) {
        EXPECT_LT(error->relative, 1e-12);
        EXPECT_TRUE(std::isfinite(error->maxAbsolute)); // the empty row gives no NaN in the reference's gradients
    }
}

TEST(DenseCheck, RowsPastOneChunkAreCompared)
{
    // 4,160 tokens: the checker's query rows come in chunks of 4,096, so the last 64 rows are a chunk of their own.
    const Layout layout = test::bandLayout(1, 65, 64, 1, true);
    const Inputs in = randomInputs(1, layout, 8, at::kFloat);
    const double scale = 0.5;
    BlockSparseResult ours = engineResult(in, layout, scale);
    EXPECT_LT(checkAgainstDense(in.q, in.k, in.v, layout, scale, ours, in.gradOut).output.relative, 1e-5);
    ours.output[0][0][4150][3] += 0.5; // in the last chunk
    EXPECT_NEAR(checkAgainstDense(in.q, in.k, in.v, layout, scale, ours).output.maxAbsolute, 0.5, 1e-3);
}

TEST(DenseCheck, AnErrorIsReportedAtItsSizeAndOnlyWhereItIs)
{
    const Layout layout = test::bandLayout(2, 5, 16, 1, false);
    const Inputs in = randomInputs(2, layout, 8, at::kDouble);
    const double scale = 0.3;
    BlockSparseResult ours = engineResult(in, layout, scale);
    ours.gradKey[1][0][40][5] += 0.25;
    const DenseCheck check = checkAgainstDense(in.q, in.k, in.v, layout, scale, ours, in.gradOut);
    EXPECT_NEAR(check.key->maxAbsolute, 0.25, 1e-9);
    EXPECT_LT(check.output.maxAbsolute, 1e-12);
    EXPECT_LT(check.query->maxAbsolute, 1e-12);
    EXPECT_LT(check.value->maxAbsolute, 1e-12);

    // Without a gradient of the output, only the output is compared.
    EXPECT_FALSE(checkAgainstDense(in.q, in.k, in.v, layout, scale, ours).key.has_value());
}

TEST(DenseCheck, BenchAttentionPrintsAndWritesTheComparison)
{
    const std::filesystem::path work = test::makeTempDir("spw-dense-check");
    const std::filesystem::path config = work / "bigbird.json";
    std::ofstream(config) << R"({"mode": "bigbird", "block": 16, "num_random_blocks": 1, "num_global_blocks": 1,
                                 "num_sliding_window_blocks": 3})";
    const test::CliResult result = test::runCli({ "bench-attention", "--config", config.string(), "--device", "cpu",
        "--seq-len", "128", "--batch", "2", "--heads", "2", "--head-dim", "16", "--repeats", "1", "--warmup", "0",
        "--check", "--json", (work / "bench.json").string() });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_NE(result.out.find("check against dense attention in float32: output max |error|"), std::string::npos)
        << result.out;
    std::ifstream in(work / "bench.json");
    const nlohmann::json report = nlohmann::json::parse(in);
    const double relative = report["check"]["output"]["relative_error"];
    EXPECT_LT(relative, 1e-5);
    EXPECT_GT(report["check"]["output"]["max_abs_error"].get<double>(), 0.0); // float32 rounding, measured
    std::filesystem::remove_all(work);
}

} // namespace
