#pragma once
// Block-sparse attention configurations, with DeepSpeed's semantics (deepspeed/ops/sparse_attention/
// sparsity_config.py) and ds_config spelling.
//
// Configuration JSON: either a whole ds_config holding a "sparse_attention" object, or that object alone.
//   "mode": "dense" | "fixed" | "variable" | "bigbird" | "bslongformer" | "local"
//   "block": int (16)                     "different_layout_per_head": bool (false)
//   "num_heads": int (optional; otherwise from the model or --heads)
//   fixed:        num_local_blocks (4), num_global_blocks (1), attention ("bidirectional"),
//                 horizontal_global_attention (false), num_different_global_patterns (1)
//   variable:     num_random_blocks (0), local_window_blocks ([4]), global_block_indices ([0]),
//                 global_block_end_indices (null), attention ("bidirectional"), horizontal_global_attention (false)
//   bigbird:      num_random_blocks (0), num_sliding_window_blocks (3), num_global_blocks (1), attention
//   bslongformer: num_sliding_window_blocks (3), global_block_indices ([0]), global_block_end_indices (null),
//                 attention
//   local:        num_sliding_window_blocks (3), attention ("unidirectional", as DeepSpeed's class)
//   "seed": int (optional): the seed of the random blocks, recorded with a converted model.
// An unknown key or mode is an error; so is a value of the wrong type. A key of another mode (ds_config vocabulary,
// e.g. num_local_blocks in a bigbird object) is type-checked and then ignored, as DeepSpeed ignores it;
// different_layout_per_head applies to fixed, variable, bigbird and bslongformer. Global block indices must not be
// negative (DeepSpeed would index from the end).
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spw {

enum class SparsityMode { Dense, Fixed, Variable, BigBird, BSLongformer, Local };
enum class AttentionDirection { Bidirectional, Unidirectional };

const char* modeName(SparsityMode mode);
std::optional<SparsityMode> modeFromName(const std::string& name);
const std::vector<SparsityMode>& allModes();

struct SparsityConfig {
    SparsityMode mode = SparsityMode::Fixed;
    int numHeads = 0; // 0: not set in the configuration; the model or --heads supplies it
    int block = 16;
    bool differentLayoutPerHead = false;
    // fixed
    int numLocalBlocks = 4;
    int numGlobalBlocks = 1; // fixed, bigbird
    bool horizontalGlobalAttention = false; // fixed, variable
    int numDifferentGlobalPatterns = 1;
    // variable, bigbird
    int numRandomBlocks = 0;
    std::vector<int> localWindowBlocks { 4 };
    std::vector<int> globalBlockIndices { 0 }; // variable, bslongformer
    std::optional<std::vector<int>> globalBlockEndIndices;
    // bigbird, bslongformer, local
    int numSlidingWindowBlocks = 3;
    // "bidirectional" or "unidirectional"; the mode's default when not given (local: unidirectional).
    AttentionDirection attention = AttentionDirection::Bidirectional;
    std::optional<std::uint64_t> seed;

    // Same mode and same values for the keys that apply to it (what sparsityConfigToJson writes).
    bool operator==(const SparsityConfig& other) const;
};

// The configuration ds_config gives `mode` when no other key is given (local: unidirectional).
SparsityConfig defaultsFor(SparsityMode mode);

// Checks every rule DeepSpeed enforces that does not depend on the sequence length; throws spw::Error whose
// message names the field(s) and the rule.
void validate(const SparsityConfig& config);

// Reads a ds_config or its "sparse_attention" object. Throws spw::Error naming the key on any problem.
SparsityConfig sparsityConfigFromJson(const nlohmann::json& json);
SparsityConfig loadSparsityConfig(const std::string& path);
// The "sparse_attention" object in ds_config spelling, with the keys that apply to the mode.
nlohmann::json sparsityConfigToJson(const SparsityConfig& config);
// Writes sparsityConfigToJson() to `path` atomically (engine/common/durable_files.h).
void saveSparsityConfig(const SparsityConfig& config, const std::string& path);

} // namespace spw
