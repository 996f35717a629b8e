#include "sparsity/sparsity_config.h"

#include "common/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>

namespace spw {
namespace {

struct ModeName {
    SparsityMode mode;
    const char* name;
};

constexpr std::array<ModeName, 6> kModeNames { { { SparsityMode::Dense, "dense" }, { SparsityMode::Fixed, "fixed" },
    { SparsityMode::Variable, "variable" }, { SparsityMode::BigBird, "bigbird" },
    { SparsityMode::BSLongformer, "bslongformer" }, { SparsityMode::Local, "local" } } };

void requirePositive(const char* field, int value)
{
    if (value <= 0)
        fail("{} ({}) must be positive", field, value);
}

void requireNonNegativeIndices(const char* field, const std::vector<int>& indices)
{
    for (int index : indices)
        if (index < 0)
            fail("{} holds {}: block indices must not be negative", field, index);
}

// DeepSpeed's rules for global_block_indices / global_block_end_indices (Variable and BSLongformer constructors).
void validateGlobalRanges(const SparsityConfig& config)
{
    requireNonNegativeIndices("global_block_indices", config.globalBlockIndices);
    if (!config.globalBlockEndIndices)
        return;
    const auto& ends = *config.globalBlockEndIndices;
    if (ends.size() != config.globalBlockIndices.size())
        fail("global_block_indices ({} entries) and global_block_end_indices ({} entries) must have the same length",
            config.globalBlockIndices.size(), ends.size());
    for (std::size_t i = 0; i < ends.size(); ++i)
        if (config.globalBlockIndices[i] >= ends[i])
            fail("global_block_indices[{}] ({}) must be smaller than global_block_end_indices[{}] ({})", i,
                config.globalBlockIndices[i], i, ends[i]);
}

void validateNoHorizontalWhenUnidirectional(const SparsityConfig& config)
{
    if (config.horizontalGlobalAttention && config.attention == AttentionDirection::Unidirectional)
        fail("horizontal_global_attention needs attention \"bidirectional\" (attention is \"unidirectional\")");
}

void validateFixed(const SparsityConfig& config)
{
    requirePositive("num_local_blocks", config.numLocalBlocks);
    requirePositive("num_global_blocks", config.numGlobalBlocks);
    if (config.numLocalBlocks % config.numGlobalBlocks != 0)
        fail("num_local_blocks ({}) must be a multiple of num_global_blocks ({})", config.numLocalBlocks,
            config.numGlobalBlocks);
    validateNoHorizontalWhenUnidirectional(config);
    requirePositive("num_different_global_patterns", config.numDifferentGlobalPatterns);
    if (config.numDifferentGlobalPatterns > 1 && !config.differentLayoutPerHead)
        fail("num_different_global_patterns ({}) above 1 needs different_layout_per_head true",
            config.numDifferentGlobalPatterns);
    const int patterns = config.numLocalBlocks / config.numGlobalBlocks;
    if (config.numDifferentGlobalPatterns > patterns)
        fail("num_different_global_patterns ({}) must not exceed num_local_blocks / num_global_blocks ({} / {} = {})",
            config.numDifferentGlobalPatterns, config.numLocalBlocks, config.numGlobalBlocks, patterns);
}

void validateVariable(const SparsityConfig& config)
{
    if (config.numRandomBlocks < 0)
        fail("num_random_blocks ({}) must not be negative", config.numRandomBlocks);
    if (config.localWindowBlocks.empty())
        fail("local_window_blocks must hold at least one window size");
    for (int size : config.localWindowBlocks)
        if (size <= 0)
            fail("local_window_blocks holds {}: window sizes must be positive", size);
    validateGlobalRanges(config);
    validateNoHorizontalWhenUnidirectional(config);
}

void validateBigBird(const SparsityConfig& config)
{
    if (config.numRandomBlocks < 0)
        fail("num_random_blocks ({}) must not be negative", config.numRandomBlocks);
    requirePositive("num_sliding_window_blocks", config.numSlidingWindowBlocks);
    requirePositive("num_global_blocks", config.numGlobalBlocks);
}

} // namespace

const char* modeName(SparsityMode mode)
{
    for (const auto& entry : kModeNames)
        if (entry.mode == mode)
            return entry.name;
    return "unknown";
}

std::optional<SparsityMode> modeFromName(const std::string& name)
{
    for (const auto& entry : kModeNames)
        if (name == entry.name)
            return entry.mode;
    return std::nullopt;
}

const std::vector<SparsityMode>& allModes()
{
    static const std::vector<SparsityMode> modes = [] {
        std::vector<SparsityMode> result;
        for (const auto& entry : kModeNames)
            result.push_back(entry.mode);
        return result;
    }();
    return modes;
}

SparsityConfig defaultsFor(SparsityMode mode)
{
    SparsityConfig config;
    config.mode = mode;
    // DeepSpeed's LocalSlidingWindowSparsityConfig defaults to unidirectional; every other mode to bidirectional.
    if (mode == SparsityMode::Local)
        config.attention = AttentionDirection::Unidirectional;
    return config;
}

void validate(const SparsityConfig& config)
{
    requirePositive("block", config.block);
    if (config.numHeads < 0)
        fail("num_heads ({}) must be positive", config.numHeads);
    switch (config.mode) {
    case SparsityMode::Dense:
        break;
    case SparsityMode::Fixed:
        validateFixed(config);
        break;
    case SparsityMode::Variable:
        validateVariable(config);
        break;
    case SparsityMode::BigBird:
        validateBigBird(config);
        break;
    case SparsityMode::BSLongformer:
        requirePositive("num_sliding_window_blocks", config.numSlidingWindowBlocks);
        validateGlobalRanges(config);
        break;
    case SparsityMode::Local:
        requirePositive("num_sliding_window_blocks", config.numSlidingWindowBlocks);
        break;
    }
}

// Two configurations are equal when they are written the same: same mode and same values for the keys that apply
// to it. Fields of other modes are ignored there, as they are by the layout.
bool SparsityConfig::operator==(const SparsityConfig& other) const
{
    return sparsityConfigToJson(*this) == sparsityConfigToJson(other);
}

} // namespace spw
