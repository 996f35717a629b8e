#pragma once
// The machine a profile ran on, recorded with its results.
#include <ATen/ATen.h>

#include <string>

namespace spw {

struct MachineInfo {
    std::string hostName;
    std::string cpuModel; // /proc/cpuinfo's "model name"; empty when unknown
    int cpuCores = 0; // logical processors
    int torchThreads = 0; // LibTorch's intra-op threads
    std::string gpuName; // when profiling on CUDA
    std::string libtorchVersion;
    // The BLAS library LibTorch's CPU matrix products run on, as mapped into the process (/proc/self/maps); empty
    // when none is mapped on its own (PyTorch's wheels link MKL in).
    std::string blasLibrary;
};

MachineInfo currentMachine(at::Device device);

// Debian's LibTorch calls the generic libblas.so.3, which is the netlib reference implementation (about 17x slower
// forwards) unless an optimised BLAS such as OpenBLAS is installed: true for that library's path.
bool isReferenceBlas(const std::string& blasLibrary);

} // namespace spw
