// Every tokenizer folder of the fixtures against what transformers' AutoTokenizer made of the same cases
// (golden.json): ids, tokens, token types, attention mask and per-token offsets.
#include "golden_cases.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

namespace spw {
namespace {

using test::goldenCases;
using test::tokenizerFixture;

EncodeOptions optionsOf(const nlohmann::json& c)
{
    EncodeOptions options;
    if (c["max_length"].is_number())
        options.maxLength = c["max_length"].get<std::int64_t>();
    if (c["padding"] == "max_length")
        options.padding = Padding::MaxLength;
    else if (c["padding"] == "longest")
        options.padding = Padding::Longest;
    return options;
}

class GoldenTokenizerTest : public ::testing::TestWithParam<std::string> { };

TEST_P(GoldenTokenizerTest, MatchesTransformersOnEveryCase)
{
    const std::string folder = GetParam();
    auto tokenizer = Tokenizer::load(tokenizerFixture(folder));
    const auto& cases = goldenCases(folder);
    ASSERT_GE(cases.size(), 40u);
    int compared = 0;
    for (const auto& c : cases) {
        SCOPED_TRACE(folder + " / " + c["name"].get<std::string>());
        ASSERT_FALSE(c.contains("error")) << c["error"];
        if (c.contains("texts")) {
            auto texts = c["texts"].get<std::vector<std::string>>();
            auto encodings = tokenizer->encodeBatch(texts, optionsOf(c));
            ASSERT_EQ(encodings.size(), c["encodings"].size());
            for (std::size_t i = 0; i < encodings.size(); ++i)
                EXPECT_EQ(test::compareWithGolden(encodings[i], c["encodings"][i], { texts[i] }), "");
        } else {
            std::string text = c["text"];
            std::optional<std::string> pair;
            if (c["pair"].is_string())
                pair = c["pair"].get<std::string>();
            Encoding encoding = tokenizer->encode(text, pair, optionsOf(c));
            EXPECT_EQ(test::compareWithGolden(encoding, c, { text, pair.value_or("") }), "");
        }
        ++compared;
    }
    EXPECT_EQ(compared, static_cast<int>(cases.size()));
}

TEST_P(GoldenTokenizerTest, ReportsTheSameSpecialIdsAndLengths)
{
    const std::string folder = GetParam();
    auto tokenizer = Tokenizer::load(tokenizerFixture(folder));
    const auto& meta = test::goldenData()["folders"][folder]["variants"]["auto"]["meta"];
    EXPECT_EQ(tokenizer->vocabSize(), meta["len"].get<std::int64_t>());
    ASSERT_TRUE(tokenizer->padTokenId().has_value());
    EXPECT_EQ(*tokenizer->padTokenId(), meta["pad_token_id"].get<std::int64_t>());
    ASSERT_TRUE(tokenizer->modelMaxLength().has_value());
    EXPECT_EQ(*tokenizer->modelMaxLength(), meta["model_max_length"].get<std::int64_t>());
    const bool bert = test::goldenData()["folders"][folder]["kind"] == "bert";
    EXPECT_EQ(tokenizer->kind(), bert ? Tokenizer::Kind::WordPiece : Tokenizer::Kind::BytePairEncoding);
    EXPECT_EQ(tokenizer->tokenToId(bert ? "[MASK]" : "<mask>"), meta["mask_token_id"].get<std::int64_t>());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GoldenTokenizerTest, ::testing::ValuesIn(test::goldenFolders()),
    [](const auto& info) { return info.param; });

} // namespace
} // namespace spw
