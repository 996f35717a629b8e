// One (dtype, head dim) instance of the backward kernels per translation unit keeps builds parallel.
#include "../block_sparse_backward.cuh"

namespace spw::kernels::detail {
template std::string launchBackward<DType::BFloat16, 64>(const BackwardLaunch&);
} // namespace spw::kernels::detail
