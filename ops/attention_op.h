#pragma once
// The kernels of sparse_workbench::block_sparse_attention (schema in registration.cpp): one for the CPU and CUDA
// keys, which calls the engine (it dispatches by device: the CUDA kernels, or the ATen path), and one for the
// Autograd key, a torch::autograd::Function whose backward calls the engine's backward. Both guard the query's
// device, so nothing depends on the process's current device (DDP/FSDP run one device per process or thread).
#include <ATen/ATen.h>

#include <cstdint>

namespace spw::ops {

at::Tensor blockSparseAttentionKernel(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const at::Tensor& layout, std::int64_t block, const c10::optional<at::Tensor>& keyPaddingMask,
    c10::string_view keyPaddingMode, const c10::optional<at::Tensor>& attnMask, c10::string_view attnMaskMode,
    c10::optional<double> scale);

at::Tensor blockSparseAttentionAutograd(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
    const at::Tensor& layout, std::int64_t block, const c10::optional<at::Tensor>& keyPaddingMask,
    c10::string_view keyPaddingMode, const c10::optional<at::Tensor>& attnMask, c10::string_view attnMaskMode,
    c10::optional<double> scale);

} // namespace spw::ops
