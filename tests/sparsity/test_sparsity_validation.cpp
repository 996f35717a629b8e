// Every configuration DeepSpeed rejects is an spw::Error whose message names the field(s) and the rule.
#include "common/error.h"
#include "layout_test_util.h"
#include "sparsity/layout.h"

#include <gtest/gtest.h>

#include <functional>

using spw::AttentionDirection;
using spw::SparsityConfig;
using spw::SparsityMode;
using spw::test::configFor;

namespace {

// Runs `action` and checks that it throws spw::Error containing every fragment.
void expectError(const std::function<void()>& action, std::vector<std::string> fragments)
{
    try {
        action();
        ADD_FAILURE() << "no error; expected one naming " << fragments.front();
    } catch (const spw::Error& e) {
        std::string message = e.what();
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        for (const auto& fragment : fragments)
            EXPECT_NE(message.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << message;
    }
}

void expectInvalid(const SparsityConfig& config, std::vector<std::string> fragments)
{
    expectError([&] { spw::validate(config); }, fragments);
    expectError([&] { spw::makeLayout(config, 16 * 64, 2); }, fragments);
}

} // namespace

TEST(SparsityValidation, DefaultsOfEveryModeAreValid)
{
    for (auto mode : spw::allModes())
        EXPECT_NO_THROW(spw::validate(spw::defaultsFor(mode))) << spw::modeName(mode);
}

TEST(SparsityValidation, SeqLenMustBeAMultipleOfTheBlock)
{
    expectError([] { spw::makeLayout(configFor(SparsityMode::Fixed), 100, 2); }, { "seq_len (100)", "block (16)" });
    expectError([] { spw::makeLayout(configFor(SparsityMode::Dense), 0, 2); }, { "seq_len (0)" });
}

TEST(SparsityValidation, HeadsMustBeKnown)
{
    expectError([] { spw::makeLayout(configFor(SparsityMode::Fixed), 64); }, { "num_heads", "--heads" });
    expectError([] { spw::makeLayout(configFor(SparsityMode::Fixed), 64, -1); }, { "num_heads" });
}

TEST(SparsityValidation, FixedLocalMustBeAMultipleOfGlobal)
{
    auto config = configFor(SparsityMode::Fixed);
    config.numLocalBlocks = 6;
    config.numGlobalBlocks = 4;
    expectInvalid(config, { "num_local_blocks (6) must be a multiple of num_global_blocks (4)" });
}

TEST(SparsityValidation, HorizontalGlobalNeedsBidirectional)
{
    for (auto mode : { SparsityMode::Fixed, SparsityMode::Variable }) {
        auto config = configFor(mode);
        config.horizontalGlobalAttention = true;
        config.attention = AttentionDirection::Unidirectional;
        expectInvalid(config, { "horizontal_global_attention", "bidirectional" });
    }
}

TEST(SparsityValidation, GlobalPatterns)
{
    auto config = configFor(SparsityMode::Fixed);
    config.numDifferentGlobalPatterns = 2;
    expectInvalid(config, { "num_different_global_patterns (2)", "different_layout_per_head" });
    config.differentLayoutPerHead = true;
    config.numLocalBlocks = 4;
    config.numGlobalBlocks = 2;
    config.numDifferentGlobalPatterns = 3;
    expectInvalid(config, { "num_different_global_patterns (3)", "num_local_blocks / num_global_blocks (4 / 2 = 2)" });
    config.numDifferentGlobalPatterns = 0;
    expectInvalid(config, { "num_different_global_patterns (0)", "positive" });
}

TEST(SparsityValidation, GlobalRanges)
{
    for (auto mode : { SparsityMode::Variable, SparsityMode::BSLongformer }) {
        auto config = configFor(mode);
        config.globalBlockIndices = { 0, 4 };
        config.globalBlockEndIndices = std::vector<int> { 2 };
        expectInvalid(
            config, { "global_block_indices (2 entries)", "global_block_end_indices (1 entries)", "same length" });
        config.globalBlockEndIndices = std::vector<int> { 2, 4 };
        expectInvalid(config, { "global_block_indices[1] (4)", "global_block_end_indices[1] (4)", "smaller" });
        config.globalBlockIndices = { -1, 4 };
        config.globalBlockEndIndices.reset();
        expectInvalid(config, { "global_block_indices", "-1" });
    }
}

TEST(SparsityValidation, TooManyBlocksForTheRow)
{
    auto bigbird = configFor(SparsityMode::BigBird);
    bigbird.numRandomBlocks = 5;
    expectError([&] { spw::makeLayout(bigbird, 64, 1); }, { "num_random_blocks (5)", "number of blocks in a row (4" });
    EXPECT_NO_THROW(spw::makeLayout(bigbird, 80, 1));
    bigbird.numRandomBlocks = 0;
    bigbird.numSlidingWindowBlocks = 7;
    expectError([&] { spw::makeLayout(bigbird, 64, 1); }, { "num_sliding_window_blocks (7)", "blocks in a row" });
    bigbird.numSlidingWindowBlocks = 3;
    bigbird.numGlobalBlocks = 5;
    expectError([&] { spw::makeLayout(bigbird, 64, 1); }, { "num_global_blocks (5)", "blocks in a row" });

    auto variable = configFor(SparsityMode::Variable);
    variable.numRandomBlocks = 3;
    expectError([&] { spw::makeLayout(variable, 32, 1); }, { "num_random_blocks (3)", "blocks in a row (2" });

    for (auto mode : { SparsityMode::BSLongformer, SparsityMode::Local }) {
        auto config = configFor(mode);
        config.numSlidingWindowBlocks = 5;
        expectError([&] { spw::makeLayout(config, 64, 1); }, { "num_sliding_window_blocks (5)", "blocks in a row" });
    }
}

TEST(SparsityValidation, NonPositiveSizes)
{
    auto config = configFor(SparsityMode::Dense);
    config.block = 0;
    expectInvalid(config, { "block (0) must be positive" });

    config = configFor(SparsityMode::Fixed);
    config.numLocalBlocks = 0;
    expectInvalid(config, { "num_local_blocks (0) must be positive" });
    config = configFor(SparsityMode::Fixed);
    config.numGlobalBlocks = -1;
    expectInvalid(config, { "num_global_blocks (-1) must be positive" });

    config = configFor(SparsityMode::Variable);
    config.localWindowBlocks = { 4, 0 };
    expectInvalid(config, { "local_window_blocks", "positive" });
    config.localWindowBlocks = {};
    expectInvalid(config, { "local_window_blocks" });
    config = configFor(SparsityMode::Variable);
    config.numRandomBlocks = -2;
    expectInvalid(config, { "num_random_blocks (-2)" });

    for (auto mode : { SparsityMode::BigBird, SparsityMode::BSLongformer, SparsityMode::Local }) {
        config = configFor(mode);
        config.numSlidingWindowBlocks = 0;
        expectInvalid(config, { "num_sliding_window_blocks (0) must be positive" });
    }
    config = configFor(SparsityMode::BigBird);
    config.numGlobalBlocks = 0;
    expectInvalid(config, { "num_global_blocks (0) must be positive" });
}

// Keys of other modes are ignored by the layout, as DeepSpeed ignores them: a dense configuration with a fixed
// combination DeepSpeed would reject for fixed is fine.
TEST(SparsityValidation, FieldsOfOtherModesAreNotChecked)
{
    auto config = configFor(SparsityMode::Dense);
    config.numLocalBlocks = 6;
    config.numGlobalBlocks = 4;
    config.horizontalGlobalAttention = true;
    config.attention = AttentionDirection::Unidirectional;
    EXPECT_NO_THROW(spw::validate(config));
}
