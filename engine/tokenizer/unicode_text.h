#pragma once
// Unicode helpers for the tokenizers: UTF-8 decoding with byte offsets, character classes as BERT and GPT-2's
// pre-tokenizer define them, canonical decomposition and lower-casing. Categories and decompositions come from
// utf8proc; nothing here keeps its own Unicode tables.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace spw::unicode {

// One code point of a text and the bytes [begin, end) of the ORIGINAL text it stands for. Normalization keeps the
// span of the character a code point came from (a decomposed accent keeps the span of its base letter's character),
// so token offsets always point into the text the user typed.
struct AlignedChar {
    char32_t code = 0;
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
};
using AlignedText = std::vector<AlignedChar>;

// Decodes text[begin, end) (byte offsets); throws spw::Error naming `what` and the byte at an invalid sequence.
AlignedText decodeUtf8(const std::string& text, std::size_t begin, std::size_t end, const std::string& what);

void appendUtf8(std::string& out, char32_t code);
std::string toUtf8(const AlignedText& text, std::size_t begin, std::size_t end);
// Number of bytes of the UTF-8 sequence starting with `lead` (1 for an invalid lead byte).
std::size_t utf8Length(unsigned char lead);

// Unicode's White_Space property (Rust's char::is_whitespace, regex \s): Zs, Zl, Zp, U+0009..U+000D and U+0085.
bool isWhitespace(char32_t c);
// General category C* (Cc, Cf, Cs, Co, Cn).
bool isOther(char32_t c);
// BERT's punctuation: ASCII punctuation (all four ASCII ranges, so $ + < = > ^ ` | ~ too) or any Unicode P*.
bool isBertPunctuation(char32_t c);
// The CJK Unified Ideograph blocks BERT pads with spaces (not kana, not hangul).
bool isCjkIdeograph(char32_t c);
bool isLetter(char32_t c); // \p{L}
bool isNumber(char32_t c); // \p{N}
bool isMarkNonspacing(char32_t c); // Mn

// Canonical decomposition (NFD) of a whole text, combining marks in canonical order; each produced code point
// keeps the alignment of the character it came from.
AlignedText decomposeCanonical(const AlignedText& text);
// Full lower-case mapping, as Python's str.lower and Rust's char::to_lowercase apply per character.
void appendLowercase(AlignedText& out, const AlignedChar& c);

} // namespace spw::unicode
