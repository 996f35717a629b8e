// The CPU memory meter: a run's peak over its own start, whatever larger run came before.
#include "profile/memory_meter.h"

#include <gtest/gtest.h>

#include <vector>

namespace spw {
namespace {

// Allocates and touches `mib` MiB, then frees it.
void touch(std::int64_t mib)
{
    at::Tensor t = at::empty({ mib * 1024 * 1024 }, at::kByte);
    t.fill_(1);
}

TEST(MemoryMeter, MeasuresEachRunFromItsOwnStart)
{
    MemoryMeter meter(at::kCPU);
    if (meter.method() != "vmhwm-reset")
        GTEST_SKIP() << "this kernel refuses to reset the peak resident set (/proc/self/clear_refs)";
    meter.start();
    touch(96);
    const double large = meter.peakIncreaseMiB();
    meter.start();
    touch(32);
    const double small = meter.peakIncreaseMiB();
    EXPECT_GE(large, 90.0);
    EXPECT_LT(large, 200.0);
    EXPECT_GE(small, 28.0);
    EXPECT_LT(small, 90.0); // not the earlier, larger peak
}

// Memory freed by earlier runs and kept by the C library must not hide a run's own allocations.
TEST(MemoryMeter, CountsMemoryEarlierRunsFreed)
{
    MemoryMeter meter(at::kCPU);
    if (meter.method() != "vmhwm-reset")
        GTEST_SKIP() << "this kernel refuses to reset the peak resident set (/proc/self/clear_refs)";
    auto run = [] {
        std::vector<at::Tensor> blocks;
        for (int i = 0; i < 3; ++i)
            blocks.push_back(at::empty({ 4 * 1024 * 1024 }, at::kByte).fill_(1));
    };
    run();
    run();
    meter.start();
    run();
    // Three 4 MiB blocks are alive at once. The C library may keep a few pages of its heap resident through the
    // trim; without it the run reads close to 0.
    EXPECT_GE(meter.peakIncreaseMiB(), 10.0);
}

} // namespace
} // namespace spw
