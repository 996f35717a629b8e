// Dense CPU attention whose L×L scores cannot fit in the memory available is refused with a message naming the
// length, before anything is allocated (the alternative is the out-of-memory killer or a machine swapping for hours).
#include "common/available_memory.h"
#include "common/error.h"
#include "common/run_cli.h"
#include "model/self_attention.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace spw {
namespace {

TEST(DenseCpuMemory, AvailableMemoryIsReadOnLinux)
{
    const auto available = availableMemoryBytes();
    ASSERT_TRUE(available.has_value());
    EXPECT_GT(*available, std::uint64_t(1) << 26); // a machine that runs this suite has more than 64 MiB free
}

TEST(DenseCpuMemory, ScoresBeyondTheAvailableMemoryAreRefusedWithTheirSize)
{
    // 2 × 12 heads × 10⁶² scores × 4 bytes ≈ 89,000 GiB: no machine running this has that.
    try {
        checkDenseCpuAttentionFits(1, 12, 1'000'000, 4);
        FAIL() << "no error";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("dense attention over 1000000 tokens"), std::string::npos) << message;
        EXPECT_NE(message.find("GiB of memory available"), std::string::npos) << message;
    }
    EXPECT_NO_THROW(checkDenseCpuAttentionFits(2, 12, 1024, 4)); // 96 MiB
}

// The profile checks every dense run of its sweep before the first starts: one line, exit 2, no progress lines.
TEST(DenseCpuMemory, ProfileRefusesAnImpossibleSweepBeforeRunning)
{
    const std::string dir = test::makeTempDir("spw-dense-memory");
    const std::string config = dir + "/bsl.json";
    std::ofstream(config) << R"({"mode": "bslongformer", "block": 64})";
    const auto result = test::runCli({ "profile", "--demo", "--demo-layers", "1", "--demo-hidden", "32", "--demo-heads",
        "2", "--sparsity", config, "--seq-lens", "64,1048576", "--json", dir + "/out.json" });
    std::filesystem::remove_all(dir);
    EXPECT_EQ(result.exitCode, 2) << result.err;
    EXPECT_NE(result.err.find("dense attention over 1048576 tokens"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

} // namespace
} // namespace spw
