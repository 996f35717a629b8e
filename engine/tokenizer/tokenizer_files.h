#pragma once
// Readers for the tokenizer files of a checkpoint folder (formats in tokenizer.h). Each throws spw::Error naming
// the file, and the line or key at fault.
#include "tokenizer/added_tokens.h"
#include "tokenizer/vocabulary.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace spw {

struct TokenizerParts;

Vocabulary readVocabTxt(const std::string& path);
Vocabulary readVocabJson(const std::string& path);
std::vector<std::pair<std::string, std::string>> readMergesTxt(const std::string& path);

// `text` as a JSON string literal ("a\nb"), so that a message naming a token with control characters or invalid
// UTF-8 stays on one line.
std::string jsonQuoted(const std::string& text);

// Fails naming `file` and `what` (for example "'added_tokens' id of '<mask>'") unless 0 <= id < limit. Every id read
// from a file passes here before it indexes or sizes anything; `limit` is how many tokens the files define, since
// transformers numbers tokens densely from 0, so a larger id could only leave holes (and a 1e9 id would allocate a
// billion-entry table).
void checkTokenId(std::int64_t id, std::int64_t limit, const std::string& file, const std::string& what);

// tokenizer_config.json with special_tokens_map.json filling in special tokens (both optional).
struct TokenizerConfig {
    std::string file; // tokenizer_config.json's path, for messages
    std::optional<std::int64_t> modelMaxLength;
    std::optional<bool> doLowerCase;
    std::optional<bool> stripAccents;
    std::optional<bool> tokenizeChineseChars;
    std::optional<bool> addPrefixSpace;
    std::optional<bool> trimOffsets;
    std::map<std::string, std::string> specialTokens; // "unk_token" -> "[UNK]", ...
    std::map<std::string, std::string> specialTokenFiles; // "unk_token" -> the file that named it, for messages
    // added_tokens_decoder, ids not yet checked against the vocabulary (the loader does, knowing its size)
    std::vector<AddedToken> addedTokens;
    std::string specialToken(const std::string& key, const std::string& fallback) const;
    // The same, for a token the tokenizer's pipeline cannot do without ([CLS], [SEP], [UNK]): fails naming the
    // file and key when the files name it as "".
    std::string requiredSpecialToken(const std::string& key, const std::string& fallback) const;
};
TokenizerConfig readTokenizerConfig(const std::string& directory);

// Reads one "key" of a JSON object as a bool / string, or fails naming the file and key.
std::optional<bool> optionalBool(const nlohmann::json& object, const std::string& key, const std::string& file);
std::string requiredString(const nlohmann::json& object, const std::string& key, const std::string& file);

// The tokenizer described by tokenizer.json, with model_max_length and the padding token from `config`.
std::unique_ptr<TokenizerParts> partsFromTokenizerJson(const std::string& path, const TokenizerConfig& config);

} // namespace spw
