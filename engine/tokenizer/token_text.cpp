#include "tokenizer/token_text.h"

#include "common/error.h"
#include "common/utf8_text.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/unicode_text.h"

#include <algorithm>

namespace spw {
namespace {

// The bytes a byte-level token spells; unset when a character is not a byte-level stand-in (an added token such
// as "<mask>" spells itself with printable bytes and maps back unchanged, but one with other characters does not).
std::optional<std::string> byteLevelBytes(const std::string& token)
{
    unicode::AlignedText chars;
    try {
        chars = unicode::decodeUtf8(token, 0, token.size(), "token");
    } catch (const Error&) {
        return std::nullopt;
    }
    std::string bytes;
    for (const unicode::AlignedChar& c : chars) {
        const std::optional<unsigned char> byte = byteOfByteLevelChar(c.code);
        if (!byte)
            return std::nullopt;
        bytes.push_back(static_cast<char>(*byte));
    }
    return validUtf8(bytes);
}

std::string withVisibleControls(const std::string& text)
{
    if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c == ' '; })) {
        std::string marks;
        for (std::size_t i = 0; i < text.size(); ++i)
            marks += "␣";
        return marks;
    }
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n')
            out += "↵";
        else if (c == '\t')
            out += "⇥";
        else if (byte < 0x20)
            unicode::appendUtf8(out, char32_t(0x2400 + byte)); // U+2400.. the control pictures
        else if (byte == 0x7f)
            out += "␡";
        else
            out.push_back(c);
    }
    return out;
}

} // namespace

std::string tokenDisplayText(Tokenizer::Kind kind, const std::string& token)
{
    if (kind != Tokenizer::Kind::BytePairEncoding)
        return token;
    return withVisibleControls(byteLevelBytes(token).value_or(token));
}

} // namespace spw
