#pragma once
// Byte-level BPE (GPT-2, RoBERTa). A word's UTF-8 bytes are first mapped to printable characters (GPT-2's
// bytes_to_unicode: the printable Latin-1 bytes stand for themselves, the other 68 bytes for U+0100 onwards, so a
// space is 'Ġ'); then, repeatedly, the adjacent pair with the best (lowest) merge rank is merged, leftmost first,
// until no pair has a rank (in O(n log n) for a word of n bytes). Each final symbol is looked up in the vocabulary.
#include "tokenizer/subword_model.h"

#include <map>
#include <optional>
#include <utility>

namespace spw {

// The character that stands for `byte` in byte-level vocabularies.
char32_t byteLevelChar(unsigned char byte);
// The byte `c` stands for; unset for a character byteLevelChar never gives.
std::optional<unsigned char> byteOfByteLevelChar(char32_t c);

class BpeModel : public SubwordModel {
public:
    // `merges` in rank order, each a pair of vocabulary tokens; an unknown token throws spw::Error naming
    // `source` and the merge's index (1-based, the line of merges.txt after its header).
    BpeModel(Vocabulary vocabulary, const std::vector<std::pair<std::string, std::string>>& merges,
        std::optional<std::string> unkToken, const std::string& source);

    void encodeWord(const unicode::AlignedText& word, std::vector<RawToken>& out) const override;
    const Vocabulary& vocabulary() const override { return m_vocabulary; }

private:
    struct Merge {
        int rank;
        std::int64_t result;
    };
    std::optional<Merge> mergeOf(std::int64_t left, std::int64_t right) const;
    Vocabulary m_vocabulary;
    std::map<std::pair<std::int64_t, std::int64_t>, Merge> m_merges;
    std::optional<std::int64_t> m_unkId;
};

} // namespace spw
