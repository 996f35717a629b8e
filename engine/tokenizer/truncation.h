#pragma once
// Truncation and padding of encodings, as tokenizers does them for transformers.
#include "tokenizer/encoding.h"

#include <cstdint>
#include <string>
#include <utility>

namespace spw {

// How many tokens of each text remain when their total must fit `budget` (the maximum length less the special
// tokens), truncating the longest first: when the shorter text fits in half the budget it is kept whole and the
// longer gets the rest; otherwise the first text gets budget/2 and the second the remainder.
std::pair<std::size_t, std::size_t> truncatedLengths(
    std::size_t first, std::size_t second, bool isPair, std::size_t budget);

// The bytes one token takes in an Encoding, besides its token string's characters.
std::size_t encodingBytesPerToken();

// Pads on the right to `length` tokens: pad id and token, type 0, attention 0, offsets (0, 0).
void padEncoding(Encoding& encoding, std::size_t length, std::int64_t padId, const std::string& padToken);

} // namespace spw
