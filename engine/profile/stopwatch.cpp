#include "profile/stopwatch.h"

#include "common/error.h"

#include <chrono>
#include <vector>

#ifdef SPW_TORCH_HAS_CUDA
#include <ATen/cuda/CUDAEvent.h>
#endif

namespace spw {
namespace {

class CpuStopwatch : public Stopwatch {
public:
    explicit CpuStopwatch(int marks) : m_marks(std::size_t(marks)) {}
    void mark(int index) override { m_marks[std::size_t(index)] = std::chrono::steady_clock::now(); }
    void finish() override {}
    double elapsedMs(int from, int to) const override
    {
        return std::chrono::duration<double, std::milli>(m_marks[std::size_t(to)] - m_marks[std::size_t(from)])
            .count();
    }

private:
    std::vector<std::chrono::steady_clock::time_point> m_marks;
};

#ifdef SPW_TORCH_HAS_CUDA
class CudaStopwatch : public Stopwatch {
public:
    explicit CudaStopwatch(int marks)
    {
        for (int i = 0; i < marks; ++i)
            m_events.push_back(std::make_unique<at::cuda::CUDAEvent>(cudaEventDefault));  // timing enabled
    }
    void mark(int index) override { m_events[std::size_t(index)]->record(); }
    void finish() override
    {
        for (auto& event : m_events)
            event->synchronize();
    }
    double elapsedMs(int from, int to) const override
    {
        return double(m_events[std::size_t(from)]->elapsed_time(*m_events[std::size_t(to)]));
    }

private:
    std::vector<std::unique_ptr<at::cuda::CUDAEvent>> m_events;
};
#endif

} // namespace

std::unique_ptr<Stopwatch> Stopwatch::forDevice(at::Device device, int marks)
{
    if (device.is_cpu())
        return std::make_unique<CpuStopwatch>(marks);
#ifdef SPW_TORCH_HAS_CUDA
    if (device.is_cuda())
        return std::make_unique<CudaStopwatch>(marks);
#endif
    fail("profile: no timer for device {} (the engine was built without CUDA)", device.str());
}

} // namespace spw
