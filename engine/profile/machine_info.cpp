#include "profile/machine_info.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <fstream>
#include <thread>

#include <unistd.h>

#ifdef SPW_TORCH_HAS_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

namespace spw {
namespace {

std::string cpuModelName()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            if (colon != std::string::npos)
                return line.substr(line.find_first_not_of(" \t", colon + 1));
        }
    }
    return {};
}

} // namespace

MachineInfo currentMachine(at::Device device)
{
    MachineInfo info;
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) == 0)
        info.hostName = host;
    info.cpuModel = cpuModelName();
    info.cpuCores = int(std::thread::hardware_concurrency());
    info.torchThreads = at::get_num_threads();
    info.libtorchVersion = TORCH_VERSION;
#ifdef SPW_TORCH_HAS_CUDA
    if (device.is_cuda())
        info.gpuName = at::cuda::getDeviceProperties(device.has_index() ? device.index() : 0)->name;
#else
    (void)device;
#endif
    return info;
}

} // namespace spw
