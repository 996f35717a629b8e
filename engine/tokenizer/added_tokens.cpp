#include "tokenizer/added_tokens.h"

#include "tokenizer/unicode_text.h"

namespace spw {
namespace {

// The code point that ends just before byte `pos` (pos > 0), and where it starts.
std::pair<char32_t, std::size_t> previousChar(const std::string& text, std::size_t pos)
{
    std::size_t start = pos - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
        --start;
    auto decoded = unicode::decodeUtf8(text, start, pos, "text");
    return { decoded.empty() ? 0 : decoded.front().code, start };
}

std::pair<char32_t, std::size_t> nextChar(const std::string& text, std::size_t pos)
{
    std::size_t length = std::min(unicode::utf8Length(static_cast<unsigned char>(text[pos])), text.size() - pos);
    auto decoded = unicode::decodeUtf8(text, pos, pos + length, "text");
    return { decoded.empty() ? 0 : decoded.front().code, pos + length };
}

bool isWordChar(char32_t c)
{
    return c == U'_' || unicode::isLetter(c) || unicode::isNumber(c);
}

bool isWordBoundary(const std::string& text, std::size_t begin, std::size_t end)
{
    if (begin > 0 && isWordChar(previousChar(text, begin).first))
        return false;
    return end >= text.size() || !isWordChar(nextChar(text, end).first);
}

} // namespace

std::vector<TextPiece> splitOnAddedTokens(const std::string& text, const std::vector<AddedToken>& tokens)
{
    std::vector<TextPiece> pieces;
    std::size_t plainStart = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const AddedToken* best = nullptr;
        for (const auto& token : tokens) {
            if (token.content.empty() || text.compare(pos, token.content.size(), token.content) != 0)
                continue;
            if (token.singleWord && !isWordBoundary(text, pos, pos + token.content.size()))
                continue;
            if (!best || token.content.size() > best->content.size())
                best = &token;
        }
        if (!best) {
            pos += std::min(unicode::utf8Length(static_cast<unsigned char>(text[pos])), text.size() - pos);
            continue;
        }
        TextPiece match { best->id, pos, pos + best->content.size(), pos, pos + best->content.size() };
        if (best->lstrip) {
            while (match.begin > plainStart) {
                auto [c, start] = previousChar(text, match.begin);
                if (!unicode::isWhitespace(c))
                    break;
                match.begin = start;
            }
        }
        if (best->rstrip) {
            while (match.end < text.size()) {
                auto [c, next] = nextChar(text, match.end);
                if (!unicode::isWhitespace(c))
                    break;
                match.end = next;
            }
        }
        if (match.begin > plainStart)
            pieces.push_back({ -1, plainStart, match.begin, plainStart, match.begin });
        pieces.push_back(match);
        plainStart = pos = match.end;
    }
    if (plainStart < text.size())
        pieces.push_back({ -1, plainStart, text.size(), plainStart, text.size() });
    return pieces;
}

} // namespace spw
