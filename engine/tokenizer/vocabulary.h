#pragma once
// A token <-> id table, as a vocabulary file defines it. Ids need not be contiguous (a tokenizer.json may skip
// some); a token listed twice keeps its last id, as transformers' readers do.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace spw {

class Vocabulary {
public:
    // `id` must be non-negative, and is the table's size: the readers bound it first (checkTokenId).
    void add(const std::string& token, std::int64_t id);
    std::optional<std::int64_t> find(const std::string& token) const;
    // The token of `id`, or "" when no token has it.
    const std::string& token(std::int64_t id) const;
    bool contains(const std::string& token) const { return m_ids.count(token) != 0; }
    // One past the largest id.
    std::int64_t size() const { return static_cast<std::int64_t>(m_tokens.size()); }
    // The length in bytes of the longest token.
    std::size_t longestTokenBytes() const { return m_longestTokenBytes; }

private:
    std::unordered_map<std::string, std::int64_t> m_ids;
    std::vector<std::string> m_tokens;
    std::size_t m_longestTokenBytes = 0;
};

} // namespace spw
