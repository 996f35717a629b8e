#include "tokenizer/wordpiece_model.h"

#include "common/error.h"

namespace spw {

WordPieceModel::WordPieceModel(
    Vocabulary vocabulary, std::string unkToken, std::string continuationPrefix, std::size_t maxInputCharsPerWord)
    : m_vocabulary(std::move(vocabulary))
    , m_unkToken(std::move(unkToken))
    , m_prefix(std::move(continuationPrefix))
    , m_maxChars(maxInputCharsPerWord)
{
    auto unk = m_vocabulary.find(m_unkToken);
    if (!unk)
        fail("the unknown token '{}' is not in the WordPiece vocabulary", m_unkToken);
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
        bool found = false;
        for (std::size_t end = word.size(); end > start; --end) {
            std::string piece = (start > 0 ? m_prefix : std::string()) + unicode::toUtf8(word, start, end);
            if (auto id = m_vocabulary.find(piece)) {
                pieces.push_back({ *id, std::move(piece), word[start].begin, word[end - 1].end });
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
