// The inputs a sweep feeds the model: synthetic ids with padding, or text through the tokenizer.
#include "profile/profile_inputs.h"
#include "profile_test_support.h"

#include "common/error.h"
#include "common/temp_dir.h"
#include "tokenizer/demo_tokenizer.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace spw {
namespace {

ModelConfig tinyConfig()
{
    return test::tinyEncoder(128)->config();
}

TEST(ProfileInputs, SyntheticIdsAreSeededInRangeAndNeverPadding)
{
    const ModelConfig config = tinyConfig();
    ProfileSettings settings;
    settings.seed = 11;
    const ModelInputs a = makeProfileInputs(settings, config, nullptr, 300, 3);
    const ModelInputs b = makeProfileInputs(settings, config, nullptr, 300, 3);
    ASSERT_EQ(a.inputIds.sizes(), (at::IntArrayRef { 3, 300 }));
    EXPECT_TRUE(a.inputIds.equal(b.inputIds));
    EXPECT_FALSE(a.attentionMask.has_value());
    EXPECT_GE(a.inputIds.min().item<std::int64_t>(), 0);
    EXPECT_LT(a.inputIds.max().item<std::int64_t>(), config.vocabSize);
    EXPECT_EQ(a.inputIds.eq(config.padTokenId).sum().item<std::int64_t>(), 0);
    settings.seed = 12;
    EXPECT_FALSE(makeProfileInputs(settings, config, nullptr, 300, 3).inputIds.equal(a.inputIds));
}

TEST(ProfileInputs, PaddingFractionPadsTheEndOfEveryRow)
{
    const ModelConfig config = tinyConfig();
    ProfileSettings settings;
    settings.paddingFraction = 0.25;
    const ModelInputs inputs = makeProfileInputs(settings, config, nullptr, 64, 2);
    ASSERT_TRUE(inputs.attentionMask.has_value());
    for (std::int64_t row = 0; row < 2; ++row) {
        EXPECT_EQ((*inputs.attentionMask)[row].narrow(0, 0, 48).sum().item<std::int64_t>(), 48);
        EXPECT_EQ((*inputs.attentionMask)[row].narrow(0, 48, 16).sum().item<std::int64_t>(), 0);
        EXPECT_TRUE(inputs.inputIds[row].narrow(0, 48, 16).eq(config.padTokenId).all().item<bool>());
        EXPECT_FALSE(inputs.inputIds[row].narrow(0, 0, 48).eq(config.padTokenId).any().item<bool>());
    }
    settings.paddingFraction = 1.0;
    EXPECT_THROW(makeProfileInputs(settings, config, nullptr, 64, 2), Error);
}

TEST(ProfileInputs, TextIsRepeatedBetweenTheSpecialTokens)
{
    const std::string folder = test::makeTempDir("spw-profile-tokenizer");
    writeDemoTokenizerFiles(folder, ModelFamily::Bert, 512);
    const auto tokenizer = Tokenizer::load(folder);
    const std::string text = "the quick brown fox";
    const Encoding reference = tokenizer->encode(text); // [CLS] tokens... [SEP]
    const std::size_t body = reference.size() - 2;
    ASSERT_GT(body, 0u);

    ProfileSettings settings;
    settings.text = text;
    const ModelConfig config = tinyConfig();
    const ModelInputs inputs = makeProfileInputs(settings, config, tokenizer.get(), 40, 2);
    ASSERT_EQ(inputs.inputIds.sizes(), (at::IntArrayRef { 2, 40 }));
    EXPECT_TRUE(inputs.inputIds[0].equal(inputs.inputIds[1]));
    EXPECT_EQ(inputs.inputIds[0][0].item<std::int64_t>(), reference.ids.front());
    EXPECT_EQ(inputs.inputIds[0][39].item<std::int64_t>(), reference.ids.back());
    for (std::int64_t i = 1; i < 39; ++i)
        EXPECT_EQ(inputs.inputIds[0][i].item<std::int64_t>(), reference.ids[1 + std::size_t(i - 1) % body]) << i;

    settings.text = "";
    EXPECT_THROW(makeProfileInputs(settings, config, tokenizer.get(), 40, 1), Error);
    settings.text = text;
    EXPECT_THROW(makeProfileInputs(settings, config, nullptr, 40, 1), Error);
    std::filesystem::remove_all(folder);
}

} // namespace
} // namespace spw
