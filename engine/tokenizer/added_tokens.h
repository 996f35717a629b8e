#pragma once
// Added tokens (the special tokens, and any token added after training): matched in the raw text before
// normalization, as transformers does, so "[MASK]" or "<mask>" typed in a text become that one token. At each
// position the longest added token wins; the text between matches is tokenized normally.
//   lstrip / rstrip  the match also swallows the whitespace before / after it (RoBERTa's <mask> has lstrip)
//   single_word      matches only where no letter, number or '_' touches it
#include <cstdint>
#include <string>
#include <vector>

namespace spw {

struct AddedToken {
    std::string content;
    std::int64_t id = 0;
    bool lstrip = false;
    bool rstrip = false;
    bool singleWord = false;
    bool special = true;
};

// A piece of the text: either an added token (id >= 0) spanning bytes [begin, end) including the whitespace it
// swallowed, or plain text (id < 0) to tokenize.
struct TextPiece {
    std::int64_t addedId = -1;
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t contentBegin = 0; // the token itself, without swallowed whitespace
    std::size_t contentEnd = 0;
};

std::vector<TextPiece> splitOnAddedTokens(const std::string& text, const std::vector<AddedToken>& tokens);

} // namespace spw
