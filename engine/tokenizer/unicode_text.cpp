#include "tokenizer/unicode_text.h"

#include "common/error.h"

#include <utf8proc.h>

#include <algorithm>

namespace spw::unicode {
namespace {

utf8proc_category_t category(char32_t c)
{
    return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}

int combiningClass(char32_t c)
{
    return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class;
}

} // namespace

AlignedText decodeUtf8(const std::string& text, std::size_t begin, std::size_t end, const std::string& what)
{
    AlignedText out;
    out.reserve(end - begin);
    const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    std::size_t pos = begin;
    while (pos < end) {
        utf8proc_int32_t code = 0;
        utf8proc_ssize_t length = utf8proc_iterate(bytes + pos, static_cast<utf8proc_ssize_t>(end - pos), &code);
        if (length <= 0)
            fail("{} is not valid UTF-8 (byte {})", what, pos);
        out.push_back(
            { static_cast<char32_t>(code), static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(pos + length) });
        pos += static_cast<std::size_t>(length);
    }
    return out;
}

void appendUtf8(std::string& out, char32_t code)
{
    utf8proc_uint8_t buffer[4];
    auto length = utf8proc_encode_char(static_cast<utf8proc_int32_t>(code), buffer);
    out.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
}

std::string toUtf8(const AlignedText& text, std::size_t begin, std::size_t end)
{
    std::string out;
    for (std::size_t i = begin; i < end; ++i)
        appendUtf8(out, text[i].code);
    return out;
}

std::size_t utf8Length(unsigned char lead)
{
    if (lead >= 0xF0)
        return 4;
    if (lead >= 0xE0)
        return 3;
    if (lead >= 0xC0)
        return 2;
    return 1;
}

bool isWhitespace(char32_t c)
{
    if ((c >= 0x09 && c <= 0x0D) || c == 0x85)
        return true;
    auto cat = category(c);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}

bool isOther(char32_t c)
{
    auto cat = category(c);
    return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CS
        || cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CN;
}

bool isBertPunctuation(char32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
        return true;
    auto cat = category(c);
    return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

bool isCjkIdeograph(char32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool isLetter(char32_t c)
{
    auto cat = category(c);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

bool isNumber(char32_t c)
{
    auto cat = category(c);
    return cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO;
}

bool isMarkNonspacing(char32_t c)
{
    return category(c) == UTF8PROC_CATEGORY_MN;
}

AlignedText decomposeCanonical(const AlignedText& text)
{
    AlignedText out;
    out.reserve(text.size());
    utf8proc_int32_t buffer[32];
    for (const auto& c : text) {
        int boundClass = 0;
        auto count = utf8proc_decompose_char(
            static_cast<utf8proc_int32_t>(c.code), buffer, 32, UTF8PROC_DECOMPOSE, &boundClass);
        if (count <= 0 || count > 32) {
            out.push_back(c);
            continue;
        }
        for (utf8proc_ssize_t i = 0; i < count; ++i)
            out.push_back({ static_cast<char32_t>(buffer[i]), c.begin, c.end });
    }
    // Canonical ordering: within each run of combining marks, a stable sort by combining class.
    std::size_t i = 0;
    while (i < out.size()) {
        if (combiningClass(out[i].code) == 0) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < out.size() && combiningClass(out[j].code) != 0)
            ++j;
        std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(i), out.begin() + static_cast<std::ptrdiff_t>(j),
            [](const AlignedChar& a, const AlignedChar& b) { return combiningClass(a.code) < combiningClass(b.code); });
        i = j;
    }
    return out;
}

void appendLowercase(AlignedText& out, const AlignedChar& c)
{
    // utf8proc gives the simple (one code point) mapping. The one unconditional full mapping that differs is
    // U+0130 (capital I with dot above), which lower-cases to "i" + U+0307 (combining dot above).
    if (c.code == 0x130) {
        out.push_back({ U'i', c.begin, c.end });
        out.push_back({ 0x307, c.begin, c.end });
        return;
    }
    out.push_back({ static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c.code))), c.begin, c.end });
}

} // namespace spw::unicode
