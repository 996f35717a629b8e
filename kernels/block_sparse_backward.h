#pragma once
// Gradients of block-sparse attention (block_sparse_attention.h) with respect to query, key and value, FlashAttention-2
// style without atomics: the forward saves each row's log-sum-exp; the backward recomputes the probabilities
//   S = scale·QKᵀ + masks,  P = exp(S − lse),  dP = dO·Vᵀ,  dS = P ⊙ (dP − Δ),  Δ_i = Σ_d dO_id·O_id
// and accumulates dV = Pᵀ·dO, dK = scale·dSᵀ·Q (one CTA per key tile, walking the key table) and dQ = scale·dS·K
// (one CTA per query tile, walking the forward's table), in three launches on params.forward.stream: Δ and the
// saved log-sum-exp in a usable form, then the key side, then the query side.
//
// Deterministic: every gradient element is summed by one thread in a fixed order. Tiles with far more work than the
// average (global rows and columns) are split across CTAs that write fp32 partial sums to their own slots; the last
// CTA of a group to finish (elected by an atomic counter) adds the slots in slot order, so the result does not
// depend on which CTA finishes when.
//
// The key table (buildKeyLut) is the forward's table of the transposed layout over gathered key tiles: a key tile is
// four 16-key slices (LutHost::rowSlices), an aligned run of 64 keys unless its slices are attended by very different
// numbers of query blocks (a global column among local ones), whose slices are then packed four to a tile by that
// number; per key tile it lists the 16-row query slices that attend it, packed four to an entry as the forward's
// table packs key slices.
#include "block_sparse_attention.h"

namespace spw::kernels {

// 64 keys per key-side CTA (4 warps of 16 keys, a slice each), 64 query rows per key-table entry.
TileConfig keyTileConfig();

// mask: [numHeads][numBlocks][numBlocks] 0/1 bytes (row = query block), as for buildAttentionLut.
LutHost buildKeyLut(const std::uint8_t* mask, int numHeads, int numBlocks, int block, int splitFactor = 4);

struct AttentionBackwardParams {
    // The forward's arguments: q, k, v, out (the forward's output), masks, scale, lut (the forward's table), stream.
    // Its workspace and logSumExp fields are not used.
    AttentionParams forward;
    const void* gradOut = nullptr; // [batch, heads, seqLen, headDim] strides in elements, as q
    std::int64_t gradOutStride[3] = { 0, 0, 0 };
    const float* logSumExp = nullptr; // the forward's, float32 [batch, heads, seqLen] contiguous
    void* gradQuery = nullptr; // outputs, in the inputs' dtype
    void* gradKey = nullptr;
    void* gradValue = nullptr;
    std::int64_t gradQueryStride[3] = { 0, 0, 0 };
    std::int64_t gradKeyStride[3] = { 0, 0, 0 };
    std::int64_t gradValueStride[3] = { 0, 0, 0 };
    DeviceLut keyLut; // buildKeyLut's table for the same layout
    // backwardWorkspaceBytes(...) bytes, 16-byte aligned: row statistics, the split tiles' partial sums and their
    // counters (the launcher zeroes the counters on the stream).
    void* workspace = nullptr;
};

std::size_t backwardWorkspaceBytes(
    const DeviceLut& queryLut, const DeviceLut& keyLut, int batch, int heads, int seqLen, int headDim);

// Launches the backward on params.forward.stream. Returns an empty string on success, else a one-line message (bad
// argument or CUDA launch error).
std::string blockSparseAttentionBackward(const AttentionBackwardParams& params);

} // namespace spw::kernels
