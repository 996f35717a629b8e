#pragma once
// BERT's text normalization (tokenizers' BertNormalizer, transformers' BasicTokenizer), in this order:
//   clean text      drop U+0000, U+FFFD and control/format characters (C*, except tab/newline/return);
//                   every whitespace character becomes a plain space
//   CJK ideographs  surrounded by spaces, so each becomes a word of its own
//   strip accents   NFD, then drop nonspacing marks (Mn); by default only when lower-casing
//   lowercase       full lower-case mapping
#include "tokenizer/unicode_text.h"

#include <optional>

namespace spw {

struct BertNormalizerOptions {
    bool cleanText = true;
    bool handleChineseChars = true;
    std::optional<bool> stripAccents; // unset: follows lowercase
    bool lowercase = true;
};

unicode::AlignedText normalizeBert(const unicode::AlignedText& text, const BertNormalizerOptions& options);

} // namespace spw
