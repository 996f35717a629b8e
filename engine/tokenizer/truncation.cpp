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

std::size_t encodingBytesPerToken()
{
    const Encoding e;
    return sizeof(e.ids[0]) + sizeof(e.tokens[0]) + sizeof(e.typeIds[0]) + sizeof(e.attentionMask[0])
        + sizeof(e.specialTokensMask[0]) + sizeof(e.sequenceIds[0]) + sizeof(e.offsets[0]);
}

void padEncoding(Encoding& encoding, std::size_t length, std::int64_t padId, const std::string& padToken)
{
    if (encoding.size() >= length)
        return;
    const std::size_t padding = length - encoding.size();
    encoding.ids.insert(encoding.ids.end(), padding, padId);
    encoding.tokens.insert(encoding.tokens.end(), padding, padToken);
    encoding.typeIds.insert(encoding.typeIds.end(), padding, 0);
    encoding.attentionMask.insert(encoding.attentionMask.end(), padding, 0);
    encoding.specialTokensMask.insert(encoding.specialTokensMask.end(), padding, 1);
    encoding.sequenceIds.insert(encoding.sequenceIds.end(), padding, -1);
    encoding.offsets.insert(encoding.offsets.end(), padding, { 0, 0 });
}

} // namespace spw
