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

// tokenizer_config.json with special_tokens_map.json filling in special tokens (both optional).
struct TokenizerConfig {
    std::optional<std::int64_t> modelMaxLength;
    std::optional<bool> doLowerCase;
    std::optional<bool> stripAccents;
    std::optional<bool> tokenizeChineseChars;
    std::optional<bool> addPrefixSpace;
    std::optional<bool> trimOffsets;
    std::map<std::string, std::string> specialTokens; // "unk_token" -> "[UNK]", ...
    std::vector<AddedToken> addedTokens; // added_tokens_decoder
    std::string specialToken(const std::string& key, const std::string& fallback) const;
};
TokenizerConfig readTokenizerConfig(const std::string& directory);

// Reads one "key" of a JSON object as a bool / string, or fails naming the file and key.
std::optional<bool> optionalBool(const nlohmann::json& object, const std::string& key, const std::string& file);
std::string requiredString(const nlohmann::json& object, const std::string& key, const std::string& file);

// The tokenizer described by tokenizer.json, with model_max_length and the padding token from `config`.
std::unique_ptr<TokenizerParts> partsFromTokenizerJson(const std::string& path, const TokenizerConfig& config);

} // namespace spw
