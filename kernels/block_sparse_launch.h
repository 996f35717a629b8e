#pragma once
// Compile-time instances of the forward and backward launchers, one per (dtype, head dim) translation unit under
// instantiations/, the argument checks the two entry points share, and the switch macros that turn the run-time
// dtype and head dim into template arguments.
#include "block_sparse_attention.h"
#include "block_sparse_backward.h"
#include "forward_tensor_maps.h"

#include <string>

namespace spw::kernels::detail {

template <DType kDType, int D> std::string launchForward(const AttentionParams& params);
// The same forward on wgmma (sm_90a translation units; head dims 64 and 128).
template <DType kDType, int D> std::string launchForwardWgmma(const AttentionParams& params);
// ... and as the TMA/mbarrier pipeline (block_sparse_attention_tma.cuh), its operands described by `maps`.
template <DType kDType, int D>
std::string launchForwardTma(const AttentionParams& params, const ForwardTensorMaps& maps);

// The backward's parameters with its workspace carved into the arrays the kernels use.
struct BackwardLaunch {
    AttentionBackwardParams p;
    float* delta; // [batch, heads, seqLen]: Σ_d dO·O per row
    float* lse; // [batch, heads, seqLen]: the forward's log-sum-exp, +inf for rows attending nothing
    float* partialQuery; // forward table's partial slots × batch × tileM × headDim
    float* partialKeyValue; // key table's partial slots × batch × 64 × 2·headDim (per key row: dK, then dV)
    int* queryCounters; // forward table's combine groups × batch
    int* keyValueCounters; // key table's combine groups × batch
};

template <DType kDType, int D> std::string launchBackward(const BackwardLaunch& launch);

// Empty when fine, else a one-line message. The forward's arguments without its workspace; a table against the
// tile shape it must have and the inputs' heads and length.
std::string checkForwardArguments(const AttentionParams& p);
std::string checkTensor(const char* name, const void* pointer, const std::int64_t* stride);
std::string checkLut(const char* name, const DeviceLut& lut, TileConfig expected, const AttentionParams& p);

} // namespace spw::kernels::detail

// SPW_DTYPE_SWITCH(value, NAME, body): runs body with `constexpr DType NAME` equal to value.
#define SPW_DTYPE_SWITCH(value, NAME, ...)                                                                             \
    [&] {                                                                                                              \
        if ((value) == ::spw::kernels::DType::Float16) {                                                               \
            constexpr ::spw::kernels::DType NAME = ::spw::kernels::DType::Float16;                                     \
            return __VA_ARGS__();                                                                                      \
        }                                                                                                              \
        constexpr ::spw::kernels::DType NAME = ::spw::kernels::DType::BFloat16;                                        \
        return __VA_ARGS__();                                                                                          \
    }()

// SPW_HEADDIM_SWITCH(value, NAME, body): runs body with `constexpr int NAME` equal to value (32, 64 or 128;
// the caller has checked it).
#define SPW_HEADDIM_SWITCH(value, NAME, ...)                                                                           \
    [&] {                                                                                                              \
        if ((value) == 32) {                                                                                           \
            constexpr int NAME = 32;                                                                                   \
            return __VA_ARGS__();                                                                                      \
        }                                                                                                              \
        if ((value) == 64) {                                                                                           \
            constexpr int NAME = 64;                                                                                   \
            return __VA_ARGS__();                                                                                      \
        }                                                                                                              \
        constexpr int NAME = 128;                                                                                      \
        return __VA_ARGS__();                                                                                          \
    }()
