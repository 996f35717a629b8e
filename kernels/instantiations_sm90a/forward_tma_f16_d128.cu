// One (dtype, head dim) instance of the TMA/mbarrier warpgroup forward per translation unit, built for sm_90a only.
#include "../block_sparse_attention_tma.cuh"

namespace spw::kernels::detail {
template std::string launchForwardTma<DType::Float16, 128>(const AttentionParams&, const ForwardTensorMaps&);
} // namespace spw::kernels::detail
