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

// The BLAS shared library mapped into this process. The reference BLAS wins when it is mapped: another BLAS can be
// mapped beside it (an optimised LAPACK pulls in its own), but LibTorch's libblas.so.3 resolved to the reference.
std::string mappedBlasLibrary()
{
    std::ifstream maps("/proc/self/maps");
    std::string line;
    std::string found;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(slash);
        if (isReferenceBlas(path))
            return path;
        const std::string name = path.substr(path.rfind('/') + 1);
        for (const char* prefix : { "libblas.", "libopenblas", "libblis", "libmkl_rt" })
            if (found.empty() && name.rfind(prefix, 0) == 0)
                found = path;
    }
    return found;
}

} // namespace

bool isReferenceBlas(const std::string& blasLibrary)
{
    // Debian installs netlib's BLAS under .../blas/ and each optimised one under a folder of its own name
    // (.../openblas-pthread/, .../blis-openmp/, ...), all as libblas.so.3 behind the alternatives link.
    return blasLibrary.find("/blas/libblas.") != std::string::npos;
}

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
    info.blasLibrary = mappedBlasLibrary();
#ifdef SPW_TORCH_HAS_CUDA
    if (device.is_cuda())
        info.gpuName = at::cuda::getDeviceProperties(device.has_index() ? device.index() : 0)->name;
#else
    (void)device;
#endif
    return info;
}

} // namespace spw
