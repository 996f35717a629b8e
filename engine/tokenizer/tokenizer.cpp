#include "tokenizer/tokenizer.h"

#include "common/available_memory.h"
#include "common/error.h"
#include "tokenizer/pre_tokenizers.h"
#include "tokenizer/tokenizer_parts.h"
#include "tokenizer/truncation.h"

#include <algorithm>

namespace spw {
namespace {

int countWhitespace(const std::string& text, std::size_t begin, std::size_t end)
{
    int count = 0;
    for (const auto& c : unicode::decodeUtf8(text, begin, end, "text"))
        count += unicode::isWhitespace(c.code) ? 1 : 0;
    return count;
}

// Moves `pos` forward over `count` code points of `text`, not past `limit`.
std::uint32_t advanceChars(const std::string& text, std::uint32_t pos, int count, std::uint32_t limit)
{
    for (; count > 0 && pos < limit; --count)
        pos += static_cast<std::uint32_t>(unicode::utf8Length(static_cast<unsigned char>(text[pos])));
    return std::min(pos, limit);
}

std::uint32_t retreatChars(const std::string& text, std::uint32_t pos, int count, std::uint32_t limit)
{
    for (; count > 0 && pos > limit; --count) {
        --pos;
        while (pos > limit && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80)
            --pos;
    }
    return std::max(pos, limit);
}

// The length to pad to is the user's or tokenizer_config.json's (up to 1e18): refuse one whose encoding cannot fit
// in memory with its size, before allocating, rather than dying of bad_alloc half-way.
void requireMemoryForPadding(std::size_t length, const std::string& padToken, const char* lengthSource)
{
    const double needed = double(length) * double(encodingBytesPerToken() + padToken.size());
    const std::optional<std::uint64_t> available = availableMemoryBytes();
    if (available && needed > double(*available))
        fail("padding to {} tokens (the length from {}) needs about {:.1f} GiB, more than the {:.1f} GiB of memory "
             "available: ask for a shorter max length",
            length, lengthSource, needed / double(1 << 30), double(*available) / double(1 << 30));
}

} // namespace

Tokenizer::Tokenizer(std::unique_ptr<TokenizerParts> parts)
    : m_parts(std::move(parts))
{
}
Tokenizer::~Tokenizer() = default;

namespace {

std::vector<RawToken> tokenizeText(const TokenizerParts& parts, const std::string& text)
{
    std::vector<RawToken> tokens;
    for (const auto& piece : splitOnAddedTokens(text, parts.addedTokens)) {
        if (piece.addedId >= 0) {
            tokens.push_back({ piece.addedId, parts.model->vocabulary().token(piece.addedId),
                static_cast<std::uint32_t>(piece.begin), static_cast<std::uint32_t>(piece.end),
                countWhitespace(text, piece.begin, piece.contentBegin),
                countWhitespace(text, piece.contentEnd, piece.end) });
            continue;
        }
        auto chars = unicode::decodeUtf8(text, piece.begin, piece.end, "text");
        if (parts.normalizer)
            chars = normalizeBert(chars, *parts.normalizer);
        auto words = parts.preTokenizer == PreTokenizerKind::Bert ? splitBertWords(chars)
                                                                  : splitByteLevelWords(chars, parts.addPrefixSpace);
        for (const auto& word : words)
            parts.model->encodeWord(word, tokens);
    }
    if (parts.postProcessor.trimOffsets) {
        // RoBERTa's trim_offsets: offsets leave out a token's leading and trailing spaces, except the one space
        // add_prefix_space put before the first token.
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            RawToken& t = tokens[i];
            int leading = t.leadingSpaces;
            if ((i == 0 || t.begin == 0) && parts.postProcessor.addPrefixSpace && leading == 1)
                leading = 0;
            if (leading > 0)
                t.begin = advanceChars(text, t.begin, leading, t.end);
            if (t.trailingSpaces > 0)
                t.end = retreatChars(text, t.end, t.trailingSpaces, t.begin);
        }
    }
    return tokens;
}

} // namespace

Encoding Tokenizer::encode(
    const std::string& text, const std::optional<std::string>& pair, const EncodeOptions& options) const
{
    const bool isPair = pair && !pair->empty();
    std::vector<RawToken> sequences[2];
    sequences[0] = tokenizeText(*m_parts, text);
    if (isPair)
        sequences[1] = tokenizeText(*m_parts, *pair);

    if (options.maxLength) {
        std::size_t specials = options.addSpecialTokens ? specialTokenCount(isPair) : 0;
        if (*options.maxLength < static_cast<std::int64_t>(specials))
            fail("max length {} is shorter than the {} special tokens of the input", *options.maxLength, specials);
        auto [first, second] = truncatedLengths(
            sequences[0].size(), sequences[1].size(), isPair, static_cast<std::size_t>(*options.maxLength) - specials);
        sequences[0].resize(first);
        sequences[1].resize(second);
    }

    Encoding encoding;
    auto append = [&](std::int64_t id, const std::string& token, std::int64_t typeId, int sequence, std::size_t begin,
                      std::size_t end) {
        encoding.ids.push_back(id);
        encoding.tokens.push_back(token);
        encoding.typeIds.push_back(typeId);
        encoding.attentionMask.push_back(1);
        encoding.specialTokensMask.push_back(sequence < 0 ? 1 : 0);
        encoding.sequenceIds.push_back(sequence);
        encoding.offsets.emplace_back(begin, end);
    };
    auto appendSequence = [&](int sequence, std::int64_t typeId) {
        for (const auto& t : sequences[sequence])
            append(t.id, t.token, typeId, sequence, t.begin, t.end);
    };
    if (options.addSpecialTokens) {
        const auto& pieces = isPair ? m_parts->postProcessor.pair : m_parts->postProcessor.single;
        for (const auto& piece : pieces) {
            if (piece.isSequence)
                appendSequence(piece.sequence, piece.typeId);
            else
                append(piece.id, piece.token, piece.typeId, -1, 0, 0);
        }
    } else {
        appendSequence(0, 0);
        if (isPair)
            appendSequence(1, 1);
    }

    if (options.padding == Padding::MaxLength) {
        auto target = options.maxLength ? options.maxLength : m_parts->modelMaxLength;
        if (!target)
            fail("padding to the maximum length needs a max length (the tokenizer has no model_max_length)");
        requireMemoryForPadding(static_cast<std::size_t>(*target), m_parts->padToken,
            options.maxLength ? "--max-length" : "tokenizer_config.json's model_max_length");
        padEncoding(encoding, static_cast<std::size_t>(*target), padId(), m_parts->padToken);
    }
    return encoding;
}

std::vector<Encoding> Tokenizer::encodeBatch(const std::vector<std::string>& texts, const EncodeOptions& options) const
{
    std::vector<Encoding> encodings;
    std::size_t longest = 0;
    for (const auto& text : texts) {
        encodings.push_back(encode(text, std::nullopt, options));
        longest = std::max(longest, encodings.back().size());
    }
    if (options.padding == Padding::Longest)
        for (auto& encoding : encodings)
            padEncoding(encoding, longest, padId(), m_parts->padToken);
    return encodings;
}

std::int64_t Tokenizer::padId() const
{
    if (!m_parts->padTokenId)
        fail("cannot pad: the tokenizer from {} has no padding token", m_parts->sourceFile);
    return *m_parts->padTokenId;
}

Tokenizer::Kind Tokenizer::kind() const
{
    return m_parts->kind;
}

std::string Tokenizer::kindName() const
{
    return m_parts->kind == Kind::WordPiece ? "wordpiece" : "bpe";
}

std::optional<std::int64_t> Tokenizer::modelMaxLength() const
{
    return m_parts->modelMaxLength;
}

std::optional<std::int64_t> Tokenizer::padTokenId() const
{
    return m_parts->padTokenId;
}

const std::string& Tokenizer::padToken() const
{
    return m_parts->padToken;
}

std::optional<std::int64_t> Tokenizer::maskTokenId() const
{
    return m_parts->maskTokenId;
}

std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> Tokenizer::singleTextSpecialIds() const
{
    std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> ids;
    bool afterText = false;
    for (const TemplatePiece& piece : m_parts->postProcessor.single) {
        if (piece.isSequence)
            afterText = true;
        else
            (afterText ? ids.second : ids.first).push_back(piece.id);
    }
    return ids;
}

std::int64_t Tokenizer::vocabSize() const
{
    return m_parts->model->vocabulary().size();
}

std::optional<std::int64_t> Tokenizer::tokenToId(const std::string& token) const
{
    return m_parts->model->vocabulary().find(token);
}

std::string Tokenizer::idToToken(std::int64_t id) const
{
    return m_parts->model->vocabulary().token(id);
}

std::size_t Tokenizer::specialTokenCount(bool pair) const
{
    return m_parts->postProcessor.specialTokenCount(pair);
}

const std::string& Tokenizer::sourceFile() const
{
    return m_parts->sourceFile;
}

} // namespace spw
