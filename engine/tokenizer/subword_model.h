#pragma once
// The subword model of a tokenizer (WordPiece or byte-level BPE): turns one pre-tokenized word into tokens.
#include "tokenizer/unicode_text.h"
#include "tokenizer/vocabulary.h"

#include <cstdint>
#include <string>
#include <vector>

namespace spw {

// A token before special tokens are added: its id and string, the bytes [begin, end) of the original text it
// covers, and how many whitespace characters open and close it (byte-level tokens: 'Ġ'; an added token matched
// with lstrip/rstrip: the spaces it swallowed), which RoBERTa's trim_offsets removes from the offsets.
struct RawToken {
    std::int64_t id = 0;
    std::string token;
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    int leadingSpaces = 0;
    int trailingSpaces = 0;
};

class SubwordModel {
public:
    virtual ~SubwordModel() = default;
    virtual void encodeWord(const unicode::AlignedText& word, std::vector<RawToken>& out) const = 0;
    virtual const Vocabulary& vocabulary() const = 0;
};

} // namespace spw
