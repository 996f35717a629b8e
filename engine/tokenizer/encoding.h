#pragma once
// What a tokenizer makes of a text (or a pair of texts): the model's inputs and, per token, where it came from.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace spw {

struct Encoding {
    std::vector<std::int64_t> ids;
    std::vector<std::string> tokens;
    std::vector<std::int64_t> typeIds; // token_type_ids
    std::vector<std::int64_t> attentionMask; // 1 for real tokens, 0 for padding
    std::vector<std::int64_t> specialTokensMask; // 1 for tokens the template or padding added
    std::vector<int> sequenceIds; // 0 first text, 1 pair text, -1 added special token or padding
    // Bytes [first, second) of the token's own text (the first text or the pair, see sequenceIds) in UTF-8;
    // (0, 0) for added special tokens and padding. A byte-level token holding part of a character's bytes spans
    // the whole character.
    std::vector<std::pair<std::size_t, std::size_t>> offsets;

    std::size_t size() const { return ids.size(); }
};

enum class Padding {
    None,
    Longest, // pad every encoding of a batch to the longest one
    MaxLength, // pad to EncodeOptions::maxLength (or the model's maximum length when unset)
};

struct EncodeOptions {
    bool addSpecialTokens = true;
    // When set, inputs longer than this (special tokens included) are truncated, longest first, as transformers'
    // truncation="longest_first" does.
    std::optional<std::int64_t> maxLength;
    Padding padding = Padding::None;
};

} // namespace spw
