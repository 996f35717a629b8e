#include "tokenizer/bpe_model.h"

#include "common/error.h"

#include <array>
#include <functional>
#include <queue>

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

std::optional<unsigned char> byteOfByteLevelChar(char32_t c)
{
    static const std::map<char32_t, unsigned char> bytes = [] {
        std::map<char32_t, unsigned char> map;
        for (unsigned b = 0; b < 256; ++b)
            map.emplace(byteLevelChar(static_cast<unsigned char>(b)), static_cast<unsigned char>(b));
        return map;
    }();
    const auto it = bytes.find(c);
    if (it == bytes.end())
        return std::nullopt;
    return it->second;
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

std::optional<BpeModel::Merge> BpeModel::mergeOf(std::int64_t left, std::int64_t right) const
{
    auto it = m_merges.find({ left, right });
    if (it == m_merges.end())
        return std::nullopt;
    return it->second;
}

void BpeModel::encodeWord(const unicode::AlignedText& word, std::vector<RawToken>& out) const
{
    // The symbols of the word, linked left to right; a symbol merged into its left neighbour is marked dead.
    struct Symbol {
        std::int64_t id;
        std::uint32_t begin;
        std::uint32_t end;
        int spaces; // how many of its bytes are spaces at its start
        int trailingSpaces;
        bool allSpaces;
        std::ptrdiff_t previous;
        std::ptrdiff_t next;
        bool dead;
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
            const bool space = byte == ' ';
            const auto index = static_cast<std::ptrdiff_t>(symbols.size());
            symbols.push_back({ id ? *id : *m_unkId, c.begin, c.end, space ? 1 : 0, space ? 1 : 0, space, index - 1,
                index + 1, false });
        }
    }
    if (!symbols.empty())
        symbols.back().next = -1;

    // Merging the best-ranked adjacent pair, leftmost first, until none has a rank. Scanning every pair for each
    // merge is quadratic in the word's length (minutes for a 60,000-character word), so the candidate pairs wait in
    // a queue ordered by (rank, position of the left symbol), as in tokenizers: each merge adds the two pairs it
    // creates, and a queued pair that a merge has since changed is skipped when it comes up. Every adjacent pair of
    // the current symbols is in the queue, so the first valid entry is exactly the pair the scan would pick.
    struct Candidate {
        int rank;
        std::ptrdiff_t left;
        bool operator>(const Candidate& other) const
        {
            return rank != other.rank ? rank > other.rank : left > other.left;
        }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
    auto enqueue = [&](std::ptrdiff_t left) {
        if (left < 0 || symbols[left].next < 0)
            return;
        if (auto merge = mergeOf(symbols[left].id, symbols[symbols[left].next].id))
            queue.push({ merge->rank, left });
    };
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(symbols.size()); ++i)
        enqueue(i);
    while (!queue.empty()) {
        const Candidate candidate = queue.top();
        queue.pop();
        Symbol& a = symbols[candidate.left];
        if (a.dead || a.next < 0)
            continue;
        Symbol& b = symbols[a.next];
        // The rank names the pair, so an entry is current exactly when the pair now there has that rank.
        const auto merge = mergeOf(a.id, b.id);
        if (!merge || merge->rank != candidate.rank)
            continue;
        a.id = merge->result;
        a.begin = std::min(a.begin, b.begin);
        a.end = std::max(a.end, b.end);
        a.spaces = a.allSpaces ? a.spaces + b.spaces : a.spaces;
        a.trailingSpaces = b.allSpaces ? a.trailingSpaces + b.trailingSpaces : b.trailingSpaces;
        a.allSpaces = a.allSpaces && b.allSpaces;
        b.dead = true;
        a.next = b.next;
        if (b.next >= 0)
            symbols[b.next].previous = candidate.left;
        enqueue(a.previous);
        enqueue(candidate.left);
    }
    for (const auto& s : symbols)
        if (!s.dead)
            out.push_back({ s.id, m_vocabulary.token(s.id), s.begin, s.end, s.spaces, s.trailingSpaces });
}

} // namespace spw
