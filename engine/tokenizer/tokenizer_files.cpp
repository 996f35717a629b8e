#include "tokenizer/tokenizer_files.h"

#include "common/error.h"
#include "common/file_reading.h"

#include <charconv>
#include <filesystem>
#include <sstream>

namespace spw {
namespace {

// A special token in tokenizer_config.json is a string or an AddedToken object {"content": ...}.
std::optional<std::string> tokenContent(const nlohmann::json& value, const std::string& key, const std::string& file)
{
    if (value.is_null())
        return std::nullopt;
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_object() && value.contains("content") && value["content"].is_string())
        return value["content"].get<std::string>();
    fail("{}: '{}' must be a string or an object with \"content\"", file, key);
}

void readSpecialTokens(const nlohmann::json& object, const std::string& file, TokenizerConfig& config)
{
    for (const auto& [key, value] : object.items()) {
        if (key.size() < 6 || key.compare(key.size() - 6, 6, "_token") != 0 || key == "additional_special_tokens")
            continue;
        if (config.specialTokens.count(key))
            continue;
        if (auto content = tokenContent(value, key, file)) {
            config.specialTokens[key] = *content;
            config.specialTokenFiles[key] = file;
        }
    }
}

// An added_tokens_decoder key: the decimal digits of an id, nothing else (std::stoll would take "-7" and "7abc").
std::int64_t decoderId(const std::string& key, const std::string& file)
{
    std::int64_t id = -1;
    const char* end = key.data() + key.size();
    auto [stop, error] = std::from_chars(key.data(), end, id);
    if (key.empty() || key.front() == '-' || error != std::errc() || stop != end)
        fail("{}: 'added_tokens_decoder' key {} is not a token id (a non-negative integer)", file, jsonQuoted(key));
    return id;
}

} // namespace

std::string jsonQuoted(const std::string& text)
{
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void checkTokenId(std::int64_t id, std::int64_t limit, const std::string& file, const std::string& what)
{
    if (id < 0 || id >= limit)
        fail("{}: {} is {}, outside 0..{} (the files define {} tokens, numbered from 0)", file, what, id, limit - 1,
            limit);
}

Vocabulary readVocabTxt(const std::string& path)
{
    std::istringstream in(readWholeFile(path));
    Vocabulary vocabulary;
    std::string line;
    std::int64_t id = 0;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        vocabulary.add(line, id++);
    }
    if (id == 0)
        fail("{} is empty", path);
    return vocabulary;
}

Vocabulary readVocabJson(const std::string& path)
{
    auto json = readJsonFile(path);
    if (!json.is_object() || json.empty())
        fail("{} must be a non-empty JSON object of token: id", path);
    Vocabulary vocabulary;
    const auto limit = static_cast<std::int64_t>(json.size());
    for (const auto& [token, id] : json.items()) {
        if (!id.is_number_integer())
            fail("{}: the id of token {} is not an integer", path, jsonQuoted(token));
        checkTokenId(id.get<std::int64_t>(), limit, path, fmt::format("the id of token {}", jsonQuoted(token)));
        vocabulary.add(token, id.get<std::int64_t>());
    }
    return vocabulary;
}

std::vector<std::pair<std::string, std::string>> readMergesTxt(const std::string& path)
{
    std::istringstream in(readWholeFile(path));
    std::vector<std::pair<std::string, std::string>> merges;
    std::string line;
    int lineNumber = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if ((lineNumber == 1 && line.rfind("#version", 0) == 0) || line.empty())
            continue;
        auto space = line.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == line.size()
            || line.find(' ', space + 1) != std::string::npos)
            fail("{} line {}: a merge must be two tokens separated by one space, got '{}'", path, lineNumber, line);
        merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
    return merges;
}

std::string TokenizerConfig::specialToken(const std::string& key, const std::string& fallback) const
{
    auto it = specialTokens.find(key);
    return it == specialTokens.end() ? fallback : it->second;
}

std::string TokenizerConfig::requiredSpecialToken(const std::string& key, const std::string& fallback) const
{
    // tokenizers ignores an empty added token, and transformers looks up the id of a token it does not know as the
    // unknown token's, so it would put [UNK]'s id (or none) where this token belongs: refuse instead.
    std::string content = specialToken(key, fallback);
    if (content.empty())
        fail("{}: '{}' is empty; the tokenizer needs this special token", specialTokenFiles.at(key), key);
    return content;
}

std::optional<bool> optionalBool(const nlohmann::json& object, const std::string& key, const std::string& file)
{
    if (!object.contains(key) || object[key].is_null())
        return std::nullopt;
    if (!object[key].is_boolean())
        fail("{}: '{}' must be true, false or null", file, key);
    return object[key].get<bool>();
}

std::string requiredString(const nlohmann::json& object, const std::string& key, const std::string& file)
{
    if (!object.is_object() || !object.contains(key) || !object[key].is_string())
        fail("{}: '{}' must be a string", file, key);
    return object[key].get<std::string>();
}

TokenizerConfig readTokenizerConfig(const std::string& directory)
{
    namespace fs = std::filesystem;
    TokenizerConfig config;
    const std::string file = (fs::path(directory) / "tokenizer_config.json").string();
    config.file = file;
    if (fs::exists(file)) {
        auto json = readJsonFile(file);
        if (!json.is_object())
            fail("{} must be a JSON object", file);
        if (json.contains("model_max_length") && !json["model_max_length"].is_null()) {
            const auto& value = json["model_max_length"];
            if (!value.is_number() || value.get<double>() < 1)
                fail("{}: 'model_max_length' must be a positive number", file);
            // transformers writes a huge number (about 1e30) for "no limit".
            if (value.is_number_integer() && value.get<double>() < 1e18)
                config.modelMaxLength = value.get<std::int64_t>();
        }
        config.doLowerCase = optionalBool(json, "do_lower_case", file);
        config.stripAccents = optionalBool(json, "strip_accents", file);
        config.tokenizeChineseChars = optionalBool(json, "tokenize_chinese_chars", file);
        config.addPrefixSpace = optionalBool(json, "add_prefix_space", file);
        config.trimOffsets = optionalBool(json, "trim_offsets", file);
        readSpecialTokens(json, file, config);
        if (json.contains("added_tokens_decoder")) {
            const auto& decoder = json["added_tokens_decoder"];
            if (!decoder.is_object())
                fail("{}: 'added_tokens_decoder' must be an object of id: token", file);
            for (const auto& [key, value] : decoder.items()) {
                AddedToken token;
                token.id = decoderId(key, file);
                token.content = requiredString(value, "content", file);
                token.lstrip = optionalBool(value, "lstrip", file).value_or(false);
                token.rstrip = optionalBool(value, "rstrip", file).value_or(false);
                token.singleWord = optionalBool(value, "single_word", file).value_or(false);
                token.special = optionalBool(value, "special", file).value_or(false);
                config.addedTokens.push_back(token);
            }
        }
    }
    std::string mapFile = (fs::path(directory) / "special_tokens_map.json").string();
    if (fs::exists(mapFile)) {
        auto json = readJsonFile(mapFile);
        if (!json.is_object())
            fail("{} must be a JSON object", mapFile);
        readSpecialTokens(json, mapFile, config);
    }
    return config;
}

} // namespace spw
