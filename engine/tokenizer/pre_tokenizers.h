#pragma once
// Pre-tokenizers: split a normalized text into words, each of which the subword model encodes on its own.
//
// BERT: split on whitespace (dropped) and around every punctuation character (each one a word).
// Byte-level (GPT-2, RoBERTa): GPT-2's pattern, matched left to right with its alternatives in order,
//     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// so a word keeps the one space before it. With add_prefix_space, a text that does not start with a space gets
// one (aligned with its first character), as tokenizers' ByteLevel does for each piece between added tokens.
#include "tokenizer/unicode_text.h"

#include <vector>

namespace spw {

std::vector<unicode::AlignedText> splitBertWords(const unicode::AlignedText& text);

std::vector<unicode::AlignedText> splitByteLevelWords(const unicode::AlignedText& text, bool addPrefixSpace);

} // namespace spw
