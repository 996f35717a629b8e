// One (dtype, head dim) instance of the warpgroup (wgmma) forward per translation unit, built for sm_90a only.
#include "../block_sparse_attention.cuh"

namespace spw::kernels::detail {
template std::string launchForwardWgmma<DType::Float16, 128>(const AttentionParams&);
} // namespace spw::kernels::detail
