#pragma once
// WordPiece: greedy longest-match-first over a word's characters; pieces after the first carry the continuation
// prefix ("##"). A word with a piece not in the vocabulary, or longer than maxInputCharsPerWord characters,
// becomes the single unknown token.
#include "tokenizer/subword_model.h"

namespace spw {

class WordPieceModel : public SubwordModel {
public:
    // An unknown token missing from the vocabulary throws spw::Error naming `source`.
    WordPieceModel(Vocabulary vocabulary, std::string unkToken, std::string continuationPrefix,
        std::size_t maxInputCharsPerWord, const std::string& source);

    void encodeWord(const unicode::AlignedText& word, std::vector<RawToken>& out) const override;
    const Vocabulary& vocabulary() const override { return m_vocabulary; }

private:
    Vocabulary m_vocabulary;
    std::string m_unkToken;
    std::int64_t m_unkId = 0;
    std::string m_prefix;
    std::size_t m_maxChars;
    std::size_t m_longestTokenBytes = 0;
};

} // namespace spw
