// One (dtype, head dim) instance of the backward kernels per translation unit keeps builds parallel.
#include "../block_sparse_backward.cuh"

namespace spw::kernels::detail {
template std::string launchBackward<DType::Float16, 128>(const BackwardLaunch&);
} // namespace spw::kernels::detail
