// One (dtype, head dim) instance of the forward kernels per translation unit keeps builds parallel.
#include "../block_sparse_attention.cuh"

namespace spw::kernels::detail {
template std::string launchForward<DType::Float16, 128>(const AttentionParams&);
} // namespace spw::kernels::detail
