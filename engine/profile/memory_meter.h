#pragma once
// Peak memory of a stretch of work, as the increase over what was in use when it started.
//   CUDA: the caching allocator's allocated-bytes statistics (peak reset at start()).
//   CPU:  the process's peak resident set (VmHWM in /proc/self/status). VmHWM is process-wide and only grows, so
//         start() resets it to the current RSS by writing "5" to /proc/self/clear_refs (Linux 4.0+); each run is
//         then measured on its own whatever ran before it. Where that reset is refused, the meter reports the
//         growth of VmHWM during the run, which reads 0 for a run smaller than an earlier one: method() says which.
//         start() also returns the C library's free memory to the system (glibc's malloc_trim): otherwise a run
//         whose allocations fit into memory freed by earlier runs adds no resident page and reads (nearly) 0.
#include <ATen/ATen.h>

#include <cstdint>
#include <string>

namespace spw {

class MemoryMeter {
public:
    explicit MemoryMeter(at::Device device);

    void start();
    // MiB above the memory in use at start() (never negative).
    double peakIncreaseMiB() const;
    // "cuda-allocator", "vmhwm-reset" or "vmhwm-growth".
    std::string method() const;

private:
    at::Device m_device;
    bool m_resetWorks = false;
    std::int64_t m_baselineBytes = 0;
};

} // namespace spw
