#pragma once
// The machine a profile ran on, recorded with its results.
#include <ATen/ATen.h>

#include <string>

namespace spw {

struct MachineInfo {
    std::string hostName;
    std::string cpuModel;      // /proc/cpuinfo's "model name"; empty when unknown
    int cpuCores = 0;          // logical processors
    int torchThreads = 0;      // LibTorch's intra-op threads
    std::string gpuName;       // when profiling on CUDA
    std::string libtorchVersion;
};

MachineInfo currentMachine(at::Device device);

} // namespace spw
