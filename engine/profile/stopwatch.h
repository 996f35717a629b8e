#pragma once
// Numbered time marks on a device's timeline: a monotonic clock on CPU, where work is synchronous; CUDA events on
// the current stream on CUDA, where work is queued (marks are read after finish() has waited for the device).
#include <ATen/ATen.h>

#include <memory>

namespace spw {

class Stopwatch {
public:
    virtual ~Stopwatch() = default;
    // Throws spw::Error for a CUDA device when the engine was built without CUDA.
    static std::unique_ptr<Stopwatch> forDevice(at::Device device, int marks);

    virtual void mark(int index) = 0;
    // Waits until every mark has happened.
    virtual void finish() = 0;
    virtual double elapsedMs(int from, int to) const = 0;
};

} // namespace spw
