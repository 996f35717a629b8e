#include "profile/memory_meter.h"

#include "common/error.h"

#include <algorithm>
#include <fstream>
#include <string>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifdef SPW_TORCH_HAS_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace spw {
namespace {

// A "Key:   123 kB" line of /proc/self/status, in bytes; 0 when absent (not Linux).
std::int64_t procStatusBytes(const std::string& key)
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(key + ":", 0) == 0)
            return std::stoll(line.substr(key.size() + 1)) * 1024;
    }
    return 0;
}

bool resetPeakResidentSet()
{
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    return bool(clear);
}

#ifdef SPW_TORCH_HAS_CUDA
c10::DeviceIndex cudaIndex(at::Device device)
{
    return device.has_index() ? device.index() : c10::DeviceIndex(c10::cuda::current_device());
}
#endif

constexpr double kMiB = 1024.0 * 1024.0;

} // namespace

MemoryMeter::MemoryMeter(at::Device device)
    : m_device(device)
{
#ifndef SPW_TORCH_HAS_CUDA
    if (device.is_cuda())
        fail("profile: the engine was built without CUDA, cannot measure memory on {}", device.str());
#endif
    m_resetWorks = resetPeakResidentSet();
}

void MemoryMeter::start()
{
#ifdef SPW_TORCH_HAS_CUDA
    if (m_device.is_cuda()) {
        const auto index = cudaIndex(m_device);
        c10::cuda::CUDACachingAllocator::resetPeakStats(index);
        // Index 0 of each statistic array is the aggregate over the allocator's pools.
        m_baselineBytes
            = std::int64_t(c10::cuda::CUDACachingAllocator::getDeviceStats(index).allocated_bytes[0].current);
        return;
    }
#endif
    // Memory the C library keeps after earlier runs freed it stays resident: a run that fits into it touches no
    // new page, and its peak read 0.0 MiB (dense attention at 512 tokens after a sweep's longer runs). Handing the
    // free memory back before each run makes the run's allocations show in the resident set again.
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    m_resetWorks = resetPeakResidentSet();
    m_baselineBytes = m_resetWorks ? procStatusBytes("VmRSS") : procStatusBytes("VmHWM");
}

double MemoryMeter::peakIncreaseMiB() const
{
    std::int64_t peak = 0;
#ifdef SPW_TORCH_HAS_CUDA
    if (m_device.is_cuda())
        peak = std::int64_t(
            c10::cuda::CUDACachingAllocator::getDeviceStats(cudaIndex(m_device)).allocated_bytes[0].peak);
    else
#endif
        peak = procStatusBytes("VmHWM");
    return double(std::max<std::int64_t>(0, peak - m_baselineBytes)) / kMiB;
}

std::string MemoryMeter::method() const
{
    if (m_device.is_cuda())
        return "cuda-allocator";
    return m_resetWorks ? "vmhwm-reset" : "vmhwm-growth";
}

} // namespace spw
