#pragma once
// An independent re-derivation of DeepSpeed's make_layout for the deterministic configurations (no random blocks),
// written as a literal transcription of deepspeed/ops/sparse_attention/sparsity_config.py: the same classes'
// loops, the same Python slice assignments on a (heads, nb, nb) tensor. Tests compare spw::makeLayout with it over
// sweeps of parameters. It shares no code with the engine's builder.
#include <optional>
#include <string>
#include <vector>

namespace spw::test {

struct DeepSpeedParams {
    std::string mode; // "dense", "fixed", "variable", "bigbird", "bslongformer", "local"
    int numHeads = 1;
    int block = 16;
    bool differentLayoutPerHead = false;
    int numLocalBlocks = 4;
    int numGlobalBlocks = 1;
    std::string attention = "bidirectional";
    bool horizontalGlobalAttention = false;
    int numDifferentGlobalPatterns = 1;
    std::vector<int> localWindowBlocks { 4 };
    std::vector<int> globalBlockIndices { 0 };
    std::optional<std::vector<int>> globalBlockEndIndices;
    int numSlidingWindowBlocks = 3;
};

// layout[h][row][col], or nullopt where DeepSpeed raises ValueError / NotImplementedError.
using Tensor3 = std::vector<std::vector<std::vector<int>>>;
std::optional<Tensor3> deepSpeedMakeLayout(const DeepSpeedParams& params, int seqLen);

} // namespace spw::test
