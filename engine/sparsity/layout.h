#pragma once
// A block-sparse attention layout: a num_heads × num_blocks × num_blocks 0/1 matrix (DeepSpeed's make_layout),
// num_blocks = seq_len / block. Besides the 0/1 mask it records which rule set each block, for the designer's hover.
#include "sparsity/sparsity_config.h"

#include <cstdint>
#include <vector>

namespace spw {

// Which rule set a block. When several rules set the same block the later one in DeepSpeed's order wins
// (random, then local, then global).
enum class BlockSource : std::uint8_t { None = 0, Dense, Local, Global, Random };
const char* blockSourceName(BlockSource source);

struct Layout {
    int numHeads = 0;
    int numBlocks = 0;
    int block = 0;
    std::vector<std::uint8_t> mask; // [head][row][col], 0 or 1
    std::vector<BlockSource> source; // same indexing; None where mask is 0
    // A 64-bit hash of (numHeads, numBlocks, block, mask), set by makeLayout and topLeft, so that caches keyed by
    // layout (the CUDA lookup tables) need not rehash megabytes of mask on every call. 0: not computed.
    std::uint64_t fingerprint = 0;

    std::int64_t seqLen() const { return std::int64_t(numBlocks) * block; }
    std::size_t index(int head, int row, int col) const
    {
        return (std::size_t(head) * numBlocks + row) * numBlocks + col;
    }
    bool at(int head, int row, int col) const { return mask[index(head, row, col)] != 0; }

    // The top-left (n × n) corner of every head: the layout a shorter padded input uses (DeepSpeed's
    // SparseSelfAttention slices the layout made once at the model's maximum length).
    Layout topLeft(int n) const;
};

// Builds the layout for `config` at `seqLen` tokens with `numHeads` heads (config.numHeads when 0 is passed).
// Random blocks come from a generator seeded with `seed` that gives the same layout on every machine.
// Throws spw::Error (naming the fields) for any configuration DeepSpeed rejects, and when seqLen is not a
// multiple of the block.
Layout makeLayout(const SparsityConfig& config, std::int64_t seqLen, int numHeads = 0, std::uint64_t seed = 0);
// Every check makeLayout makes before building (the configuration, and its fit to seqLen and numHeads), so that a
// caller can reject an input without building it.
void validateLayoutRequest(const SparsityConfig& config, std::int64_t seqLen, int numHeads = 0);

struct HeadStats {
    std::int64_t nonzeroBlocks = 0;
    double density = 0; // nonzero blocks / num_blocks²
};

struct LayoutStats {
    std::vector<HeadStats> heads;
    std::int64_t nonzeroBlocks = 0; // over all heads
    double density = 0; // over all heads
    // Attention FLOPs (QKᵀ and PV, 4·L²·D per dense head) and score memory, relative to dense attention: both
    // follow the number of nonzero blocks.
    double flopsRelativeToDense = 0;
    double scoreMemoryRelativeToDense = 0;
    std::int64_t scoreElements = 0; // block² per nonzero block, all heads: the scores a sparse kernel computes
};

LayoutStats computeStats(const Layout& layout);

// The content hash stored in Layout::fingerprint (never 0).
std::uint64_t computeFingerprint(const Layout& layout);

} // namespace spw
