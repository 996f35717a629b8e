#include "tokenizer/vocabulary.h"

#include <algorithm>

namespace spw {

void Vocabulary::add(const std::string& token, std::int64_t id)
{
    m_ids[token] = id;
    if (id >= static_cast<std::int64_t>(m_tokens.size()))
        m_tokens.resize(static_cast<std::size_t>(id) + 1);
    m_tokens[static_cast<std::size_t>(id)] = token;
    m_longestTokenBytes = std::max(m_longestTokenBytes, token.size());
}

std::optional<std::int64_t> Vocabulary::find(const std::string& token) const
{
    auto it = m_ids.find(token);
    if (it == m_ids.end())
        return std::nullopt;
    return it->second;
}

const std::string& Vocabulary::token(std::int64_t id) const
{
    static const std::string kNone;
    if (id < 0 || id >= size())
        return kNone;
    return m_tokens[static_cast<std::size_t>(id)];
}

} // namespace spw
