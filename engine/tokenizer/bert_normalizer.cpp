#include "tokenizer/bert_normalizer.h"

namespace spw {

using unicode::AlignedChar;
using unicode::AlignedText;

AlignedText normalizeBert(const AlignedText& text, const BertNormalizerOptions& options)
{
    AlignedText cleaned;
    cleaned.reserve(text.size());
    for (AlignedChar c : text) {
        if (options.cleanText) {
            bool keptWhitespace = c.code == U'\t' || c.code == U'\n' || c.code == U'\r';
            if (c.code == 0 || c.code == 0xFFFD || (!keptWhitespace && unicode::isOther(c.code)))
                continue;
            if (unicode::isWhitespace(c.code))
                c.code = U' ';
        }
        if (options.handleChineseChars && unicode::isCjkIdeograph(c.code)) {
            cleaned.push_back({ U' ', c.begin, c.end });
            cleaned.push_back(c);
            cleaned.push_back({ U' ', c.begin, c.end });
            continue;
        }
        cleaned.push_back(c);
    }

    if (options.stripAccents.value_or(options.lowercase)) {
        AlignedText stripped;
        for (const auto& c : unicode::decomposeCanonical(cleaned))
            if (!unicode::isMarkNonspacing(c.code))
                stripped.push_back(c);
        cleaned = std::move(stripped);
    }
    if (!options.lowercase)
        return cleaned;
    AlignedText lowered;
    lowered.reserve(cleaned.size());
    for (const auto& c : cleaned)
        unicode::appendLowercase(lowered, c);
    return lowered;
}

} // namespace spw
