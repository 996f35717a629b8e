#include "tokenizer/bpe_model.h"

#include "common/error.h"

#include <array>
#include <limits>

namespace spw {

char32_t byteLevelChar(unsigned char byte)
{
    static const std::array<char32_t, 256> table = [] {
        auto printable = [](unsigned b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174; };
        std::array<char32_t, 256> chars {};
        // The printable bytes stand for themselves; the others take U+0100, U+0101, ... in byte order.
        char32_t next = 256;
        for (unsigned b = 0; b < 256; ++b)
            chars[b] = printable(b) ? b : next++;
        return chars;
    }();
    return table[byte];
}

BpeModel::BpeModel(Vocabulary vocabulary, const std::vector<std::pair<std::string, std::string>>& merges,
    std::optional<std::string> unkToken, const std::string& source)
    : m_vocabulary(std::move(vocabulary))
{
    for (std::size_t i = 0; i < merges.size(); ++i) {
        const auto& [left, right] = merges[i];
        auto a = m_vocabulary.find(left);
        auto b = m_vocabulary.find(right);
        auto merged = m_vocabulary.find(left + right);
        if (!a || !b || !merged)
            fail("{}: merge {} ('{} {}') uses a token that is not in the vocabulary", source, i + 1, left, right);
        m_merges.emplace(std::make_pair(*a, *b), Merge { static_cast<int>(i), *merged });
    }
    if (unkToken) {
        m_unkId = m_vocabulary.find(*unkToken);
        if (!m_unkId)
            fail("{}: the unknown token '{}' is not in the vocabulary", source, *unkToken);
    }
}

void BpeModel::encodeWord(const unicode::AlignedText& word, std::vector<RawToken>& out) const
{
    struct Symbol {
        std::int64_t id;
        std::uint32_t begin;
        std::uint32_t end;
        int spaces; // how many of its bytes are spaces at its start
        int trailingSpaces;
        bool allSpaces;
    };
    std::vector<Symbol> symbols;
    for (const auto& c : word) {
        std::string utf8;
        unicode::appendUtf8(utf8, c.code);
        for (unsigned char byte : utf8) {
            std::string mapped;
            unicode::appendUtf8(mapped, byteLevelChar(byte));
            auto id = m_vocabulary.find(mapped);
            if (!id && !m_unkId)
                continue; // as tokenizers does when a byte is missing and there is no unknown token
            bool space = byte == ' ';
            symbols.push_back({ id ? *id : *m_unkId, c.begin, c.end, space ? 1 : 0, space ? 1 : 0, space });
        }
    }
    while (symbols.size() > 1) {
        int bestRank = std::numeric_limits<int>::max();
        std::size_t best = 0;
        std::int64_t result = 0;
        for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
            auto it = m_merges.find({ symbols[i].id, symbols[i + 1].id });
            if (it != m_merges.end() && it->second.rank < bestRank) {
                bestRank = it->second.rank;
                best = i;
                result = it->second.result;
            }
        }
        if (bestRank == std::numeric_limits<int>::max())
            break;
        Symbol& a = symbols[best];
        const Symbol& b = symbols[best + 1];
        a.id = result;
        a.begin = std::min(a.begin, b.begin);
        a.end = std::max(a.end, b.end);
        a.spaces = a.allSpaces ? a.spaces + b.spaces : a.spaces;
        a.trailingSpaces = b.allSpaces ? a.trailingSpaces + b.trailingSpaces : b.trailingSpaces;
        a.allSpaces = a.allSpaces && b.allSpaces;
        symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    }
    for (const auto& s : symbols)
        out.push_back({ s.id, m_vocabulary.token(s.id), s.begin, s.end, s.spaces, s.trailingSpaces });
}

} // namespace spw
