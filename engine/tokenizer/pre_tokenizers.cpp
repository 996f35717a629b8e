#include "tokenizer/pre_tokenizers.h"

namespace spw {

using unicode::AlignedText;

std::vector<AlignedText> splitBertWords(const AlignedText& text)
{
    std::vector<AlignedText> words;
    AlignedText current;
    auto flush = [&] {
        if (!current.empty())
            words.push_back(std::move(current));
        current.clear();
    };
    for (const auto& c : text) {
        if (unicode::isWhitespace(c.code)) {
            flush();
        } else if (unicode::isBertPunctuation(c.code)) {
            flush();
            words.push_back({ c });
        } else {
            current.push_back(c);
        }
    }
    flush();
    return words;
}

namespace {

using CharClass = bool (*)(char32_t);

bool isOtherClass(char32_t c)
{
    return !unicode::isWhitespace(c) && !unicode::isLetter(c) && !unicode::isNumber(c);
}

constexpr CharClass kClasses[] = { unicode::isLetter, unicode::isNumber, isOtherClass };

// The length of the GPT-2 pattern's match at `start` (always at least one character).
std::size_t matchGpt2Pattern(const AlignedText& t, std::size_t start)
{
    const std::size_t n = t.size();
    auto at = [&](std::size_t i) -> char32_t { return i < n ? t[i].code : 0; };

    // 's 't 're 've 'm 'll 'd (case-sensitive, ASCII apostrophe only)
    if (at(start) == U'\'') {
        char32_t a = at(start + 1);
        char32_t b = at(start + 2);
        if (a == U's' || a == U't' || a == U'm' || a == U'd')
            return 2;
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l'))
            return 3;
    }
    // ' ?X+' for the three classes in order; the optional space is taken only when the class follows it.
    for (CharClass inClass : kClasses) {
        std::size_t from = start;
        if (at(start) == U' ' && start + 1 < n && inClass(t[start + 1].code))
            from = start + 1;
        else if (!inClass(t[start].code))
            continue;
        std::size_t end = from;
        while (end < n && inClass(t[end].code))
            ++end;
        return end - start;
    }
    // \s+(?!\S): the whitespace run, minus its last character when a non-space follows; else \s+.
    std::size_t end = start;
    while (end < n && unicode::isWhitespace(t[end].code))
        ++end;
    if (end == start)
        return 1; // unreachable: every character is whitespace, a letter, a number or something else
    if (end == n || end - start == 1)
        return end - start;
    return end - start - 1;
}

} // namespace

std::vector<AlignedText> splitByteLevelWords(const AlignedText& input, bool addPrefixSpace)
{
    AlignedText text;
    if (addPrefixSpace && !input.empty() && input.front().code != U' ') {
        text.reserve(input.size() + 1);
        text.push_back({ U' ', input.front().begin, input.front().end });
    }
    text.insert(text.end(), input.begin(), input.end());

    std::vector<AlignedText> words;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t length = matchGpt2Pattern(text, pos);
        words.emplace_back(
            text.begin() + static_cast<std::ptrdiff_t>(pos), text.begin() + static_cast<std::ptrdiff_t>(pos + length));
        pos += length;
    }
    return words;
}

} // namespace spw
