#include "tokenizer/truncation.h"

#include <algorithm>

namespace spw {

std::pair<std::size_t, std::size_t> truncatedLengths(
    std::size_t first, std::size_t second, bool isPair, std::size_t budget)
{
    if (!isPair)
        return { std::min(first, budget), 0 };
    if (first + second <= budget)
        return { first, second };
    std::size_t shorter = std::min(first, second);
    if (2 * shorter <= budget) {
        std::size_t longer = budget - shorter;
        return first <= second ? std::make_pair(first, longer) : std::make_pair(longer, second);
    }
    return { budget / 2, budget - budget / 2 };
}

void padEncoding(Encoding& encoding, std::size_t length, std::int64_t padId, const std::string& padToken)
{
    while (encoding.size() < length) {
        encoding.ids.push_back(padId);
        encoding.tokens.push_back(padToken);
        encoding.typeIds.push_back(0);
        encoding.attentionMask.push_back(0);
        encoding.specialTokensMask.push_back(1);
        encoding.sequenceIds.push_back(-1);
        encoding.offsets.emplace_back(0, 0);
    }
}

} // namespace spw
