// What tokens read as on screen: byte-level BPE tokens mapped back to their bytes (written here with GPT-2's
// stand-ins spelled out: U+0120 'Ġ' for a space, U+010A 'Ċ' for a line break, U+00E2 'â' and U+0122 'Ģ' for the
// bytes 0xE2 0x80 of '…' = E2 80 A6), control characters as visible marks; WordPiece and added tokens unchanged.
#include "tokenizer/token_text.h"

#include <gtest/gtest.h>

namespace spw {
namespace {

constexpr auto Bpe = Tokenizer::Kind::BytePairEncoding;

TEST(TokenText, ByteLevelTokensShowTheirText)
{
    EXPECT_EQ(tokenDisplayText(Bpe, "\xC4\xA0the"), " the");
    EXPECT_EQ(tokenDisplayText(Bpe, "Sparse"), "Sparse");
    EXPECT_EQ(tokenDisplayText(Bpe, "\xC4\x8A"), "↵");
    EXPECT_EQ(tokenDisplayText(Bpe, "\xC4\x8A\xC4\x8A"), "↵↵");
    EXPECT_EQ(tokenDisplayText(Bpe, "\xC4\x89x"), "⇥x"); // U+0109 stands for the tab byte
    EXPECT_EQ(tokenDisplayText(Bpe, "\xC4\xA0"), "␣"); // a token of one space
    EXPECT_EQ(tokenDisplayText(Bpe, "\xC4\xA0\xC4\xA0"), "␣␣");
    // '…' whole, and split across two tokens: the part shows the replacement character.
    EXPECT_EQ(tokenDisplayText(Bpe, "\xC3\xA2\xC4\xA2\xC2\xA6"), "…");
    EXPECT_EQ(tokenDisplayText(Bpe, "\xC3\xA2\xC4\xA2"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TokenText, AddedAndWordPieceTokensStayAsTheyAre)
{
    EXPECT_EQ(tokenDisplayText(Bpe, "<s>"), "<s>");
    EXPECT_EQ(tokenDisplayText(Bpe, "<mask>"), "<mask>");
    // A character no byte stands for: not a byte-level spelling, shown as written.
    EXPECT_EQ(tokenDisplayText(Bpe, "日本"), "日本");
    EXPECT_EQ(tokenDisplayText(Tokenizer::Kind::WordPiece, "##ing"), "##ing");
    EXPECT_EQ(tokenDisplayText(Tokenizer::Kind::WordPiece, "[CLS]"), "[CLS]");
}

} // namespace
} // namespace spw
