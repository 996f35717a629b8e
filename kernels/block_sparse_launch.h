#pragma once
// Compile-time instances of the forward launcher, one per (dtype, head dim) translation unit under
// instantiations/, and the switch macros that turn the run-time dtype and head dim into template arguments.
#include "block_sparse_attention.h"

#include <string>

namespace spw::kernels::detail {

template <DType kDType, int D>
std::string launchForward(const AttentionParams& params);

} // namespace spw::kernels::detail

// SPW_DTYPE_SWITCH(value, NAME, body): runs body with `constexpr DType NAME` equal to value.
#define SPW_DTYPE_SWITCH(value, NAME, ...)                                                                    \
    [&] {                                                                                                     \
        if ((value) == ::spw::kernels::DType::Float16) {                                                      \
            constexpr ::spw::kernels::DType NAME = ::spw::kernels::DType::Float16;                            \
            return __VA_ARGS__();                                                                             \
        }                                                                                                     \
        constexpr ::spw::kernels::DType NAME = ::spw::kernels::DType::BFloat16;                               \
        return __VA_ARGS__();                                                                                 \
    }()

// SPW_HEADDIM_SWITCH(value, NAME, body): runs body with `constexpr int NAME` equal to value (32, 64 or 128;
// the caller has checked it).
#define SPW_HEADDIM_SWITCH(value, NAME, ...)                                                                  \
    [&] {                                                                                                     \
        if ((value) == 32) {                                                                                  \
            constexpr int NAME = 32;                                                                          \
            return __VA_ARGS__();                                                                             \
        }                                                                                                     \
        if ((value) == 64) {                                                                                  \
            constexpr int NAME = 64;                                                                          \
            return __VA_ARGS__();                                                                             \
        }                                                                                                     \
        constexpr int NAME = 128;                                                                             \
        return __VA_ARGS__();                                                                                 \
    }()
