#include "tokenizer/wordpiece_model.h"

#include "common/error.h"
#include "tokenizer/tokenizer_files.h"

namespace spw {

WordPieceModel::WordPieceModel(Vocabulary vocabulary, std::string unkToken, std::string continuationPrefix,
    std::size_t maxInputCharsPerWord, const std::string& source)
    : m_vocabulary(std::move(vocabulary))
    , m_unkToken(std::move(unkToken))
    , m_prefix(std::move(continuationPrefix))
    , m_maxChars(maxInputCharsPerWord)
    , m_longestTokenBytes(m_vocabulary.longestTokenBytes())
{
    auto unk = m_vocabulary.find(m_unkToken);
    if (!unk)
        fail("{}: the unknown token {} is not in the WordPiece vocabulary", source, jsonQuoted(m_unkToken));
    m_unkId = *unk;
}

void WordPieceModel::encodeWord(const unicode::AlignedText& word, std::vector<RawToken>& out) const
{
    if (word.empty())
        return;
    const RawToken unknown { m_unkId, m_unkToken, word.front().begin, word.back().end };
    if (word.size() > m_maxChars) {
        out.push_back(unknown);
        return;
    }
    std::vector<RawToken> pieces;
    std::size_t start = 0;
    while (start < word.size()) {
        // No piece is longer than the vocabulary's longest token, so the longest-match search starts there: the
        // same pieces as trying every end from the word's, without the quadratic cost on a long word when a file
        // raises max_input_chars_per_word.
        std::string piece = start > 0 ? m_prefix : std::string();
        std::size_t end = start;
        std::vector<std::size_t> pieceBytes; // piece.size() after each character
        while (end < word.size()) {
            unicode::appendUtf8(piece, word[end].code);
            if (piece.size() > m_longestTokenBytes)
                break;
            ++end;
            pieceBytes.push_back(piece.size());
        }
        bool found = false;
        for (; end > start; --end) {
            piece.resize(pieceBytes[end - start - 1]);
            if (auto id = m_vocabulary.find(piece)) {
                pieces.push_back({ *id, piece, word[start].begin, word[end - 1].end });
                start = end;
                found = true;
                break;
            }
        }
        if (!found) {
            out.push_back(unknown);
            return;
        }
    }
    out.insert(out.end(), pieces.begin(), pieces.end());
}

} // namespace spw
