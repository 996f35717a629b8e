// tokenizer.json (the tokenizers library's serialization) as far as BERT and RoBERTa checkpoints use it.
#include "common/error.h"
#include "common/file_reading.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/tokenizer_files.h"
#include "tokenizer/tokenizer_parts.h"
#include "tokenizer/wordpiece_model.h"

namespace spw {
namespace {

using nlohmann::json;

std::string typeOf(const json& object, const std::string& key, const std::string& file)
{
    if (!object.is_object() || !object.contains("type") || !object["type"].is_string())
        fail("{}: '{}' has no \"type\"", file, key);
    return object["type"].get<std::string>();
}

const json& addedTokensOf(const json& root)
{
    static const json kNone = json::array();
    return root.contains("added_tokens") && root["added_tokens"].is_array() ? root["added_tokens"] : kNone;
}

// The first of `candidates` (the configured token, then the usual spellings) that the vocabulary holds, with its id.
std::optional<std::pair<std::string, std::int64_t>> firstKnownToken(
    const Vocabulary& vocabulary, const std::vector<std::string>& candidates)
{
    for (const std::string& candidate : candidates)
        if (auto id = vocabulary.find(candidate); id && !candidate.empty())
            return std::make_pair(candidate, *id);
    return std::nullopt;
}

// `idLimit`: how many tokens the file defines (the vocabulary and the added tokens).
Vocabulary readVocab(const json& model, std::int64_t idLimit, const std::string& file)
{
    Vocabulary vocabulary;
    for (const auto& [token, id] : model["vocab"].items()) {
        if (!id.is_number_integer())
            fail("{}: 'model.vocab' id of {} is not an integer", file, jsonQuoted(token));
        checkTokenId(
            id.get<std::int64_t>(), idLimit, file, fmt::format("the 'model.vocab' id of {}", jsonQuoted(token)));
        vocabulary.add(token, id.get<std::int64_t>());
    }
    return vocabulary;
}

std::vector<std::pair<std::string, std::string>> readMerges(const json& model, const std::string& file)
{
    std::vector<std::pair<std::string, std::string>> merges;
    if (!model.contains("merges") || !model["merges"].is_array())
        fail("{}: 'model.merges' must be an array", file);
    for (const auto& merge : model["merges"]) {
        // Older files write "left right", newer ones ["left", "right"].
        if (merge.is_string()) {
            auto text = merge.get<std::string>();
            auto space = text.find(' ');
            if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos)
                fail("{}: 'model.merges' entry {} is not two tokens", file, merges.size() + 1);
            merges.emplace_back(text.substr(0, space), text.substr(space + 1));
        } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
            merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
        } else {
            fail("{}: 'model.merges' entry {} is not two tokens", file, merges.size() + 1);
        }
    }
    return merges;
}

std::string optionalString(const json& object, const std::string& key, const std::string& fallback)
{
    return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : fallback;
}

std::unique_ptr<SubwordModel> readModel(
    const json& model, Vocabulary vocabulary, Tokenizer::Kind& kind, const std::string& file)
{
    std::string type = typeOf(model, "model", file);
    if (type == "WordPiece") {
        kind = Tokenizer::Kind::WordPiece;
        std::size_t maxChars = 100;
        if (model.contains("max_input_chars_per_word") && model["max_input_chars_per_word"].is_number_unsigned())
            maxChars = model["max_input_chars_per_word"].get<std::size_t>();
        return std::make_unique<WordPieceModel>(std::move(vocabulary), requiredString(model, "unk_token", file),
            optionalString(model, "continuing_subword_prefix", "##"), maxChars, file);
    }
    if (type == "BPE") {
        kind = Tokenizer::Kind::BytePairEncoding;
        if (!optionalString(model, "continuing_subword_prefix", "").empty()
            || !optionalString(model, "end_of_word_suffix", "").empty())
            fail("{}: BPE with a continuing_subword_prefix or end_of_word_suffix is not supported", file);
        if (model.contains("dropout") && !model["dropout"].is_null())
            fail("{}: BPE dropout is not supported", file);
        std::optional<std::string> unk;
        if (model.contains("unk_token") && model["unk_token"].is_string())
            unk = model["unk_token"].get<std::string>();
        auto merges = readMerges(model, file);
        return std::make_unique<BpeModel>(std::move(vocabulary), merges, unk, file);
    }
    fail("{}: unknown model type '{}' (expected WordPiece or BPE)", file, type);
}

std::pair<std::string, std::int64_t> tokenAndId(
    const json& processor, const std::string& key, std::int64_t idLimit, const std::string& file)
{
    const json& value = processor.contains(key) ? processor[key] : json();
    if (!value.is_array() || value.size() != 2 || !value[0].is_string() || !value[1].is_number_integer())
        fail("{}: 'post_processor.{}' must be [token, id]", file, key);
    checkTokenId(value[1].get<std::int64_t>(), idLimit, file, fmt::format("the id of 'post_processor.{}'", key));
    return { value[0].get<std::string>(), value[1].get<std::int64_t>() };
}

// A template piece's "type_id" (the segment its tokens belong to), 0 when absent.
int typeIdOf(const json& piece, const std::string& file)
{
    if (!piece.contains("type_id"))
        return 0;
    const json& value = piece["type_id"];
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 || value.get<std::int64_t>() > 1000)
        fail("{}: a post_processor 'type_id' must be a small non-negative integer", file);
    return int(value.get<std::int64_t>());
}

std::vector<TemplatePiece> readTemplate(
    const json& processor, const std::string& key, std::int64_t idLimit, const std::string& file)
{
    if (!processor.contains(key) || !processor[key].is_array())
        fail("{}: 'post_processor.{}' must be an array", file, key);
    const json& specials = processor.contains("special_tokens") ? processor["special_tokens"] : json::object();
    std::vector<TemplatePiece> pieces;
    for (const auto& item : processor[key]) {
        if (item.contains("Sequence")) {
            const auto& sequence = item["Sequence"];
            std::string id = requiredString(sequence, "id", file);
            if (id != "A" && id != "B")
                fail("{}: 'post_processor.{}' sequence id must be A or B", file, key);
            pieces.push_back(sequencePiece(id == "A" ? 0 : 1, typeIdOf(sequence, file)));
        } else if (item.contains("SpecialToken")) {
            const auto& special = item["SpecialToken"];
            std::string name = requiredString(special, "id", file);
            if (!specials.contains(name) || !specials[name].contains("ids") || !specials[name].contains("tokens"))
                fail("{}: 'post_processor.special_tokens' has no '{}'", file, name);
            const auto& ids = specials[name]["ids"];
            const auto& tokens = specials[name]["tokens"];
            if (!ids.is_array() || !tokens.is_array() || ids.size() != tokens.size())
                fail("{}: 'post_processor.special_tokens.{}' ids and tokens differ in length", file, name);
            for (std::size_t i = 0; i < ids.size(); ++i) {
                if (!ids[i].is_number_integer() || !tokens[i].is_string())
                    fail("{}: 'post_processor.special_tokens.{}' needs integer ids and string tokens", file, name);
                checkTokenId(ids[i].get<std::int64_t>(), idLimit, file,
                    fmt::format("an id of 'post_processor.special_tokens.{}'", name));
                pieces.push_back(
                    specialPiece(ids[i].get<std::int64_t>(), tokens[i].get<std::string>(), typeIdOf(special, file)));
            }
        } else {
            fail("{}: 'post_processor.{}' items must be Sequence or SpecialToken", file, key);
        }
    }
    return pieces;
}

// `idLimit`: one past the largest id of the vocabulary; the special tokens' ids must be below it.
PostProcessor readPostProcessor(const json& processor, std::int64_t idLimit, const std::string& file)
{
    if (processor.is_null()) {
        PostProcessor plain;
        plain.single = { sequencePiece(0, 0) };
        plain.pair = { sequencePiece(0, 0), sequencePiece(1, 1) };
        return plain;
    }
    std::string type = typeOf(processor, "post_processor", file);
    if (type == "BertProcessing") {
        auto [cls, clsId] = tokenAndId(processor, "cls", idLimit, file);
        auto [sep, sepId] = tokenAndId(processor, "sep", idLimit, file);
        return bertPostProcessor(cls, clsId, sep, sepId);
    }
    if (type == "RobertaProcessing") {
        auto [cls, clsId] = tokenAndId(processor, "cls", idLimit, file);
        auto [sep, sepId] = tokenAndId(processor, "sep", idLimit, file);
        return robertaPostProcessor(cls, clsId, sep, sepId,
            optionalBool(processor, "trim_offsets", file).value_or(true),
            optionalBool(processor, "add_prefix_space", file).value_or(true));
    }
    if (type == "TemplateProcessing") {
        PostProcessor result;
        result.single = readTemplate(processor, "single", idLimit, file);
        result.pair = readTemplate(processor, "pair", idLimit, file);
        return result;
    }
    fail("{}: unsupported post_processor type '{}'", file, type);
}

} // namespace

std::unique_ptr<TokenizerParts> partsFromTokenizerJson(const std::string& path, const TokenizerConfig& config)
{
    auto root = readJsonFile(path);
    if (!root.is_object() || !root.contains("model"))
        fail("{}: no 'model'", path);
    auto parts = std::make_unique<TokenizerParts>();
    parts->sourceFile = path;

    const json& model = root["model"];
    if (!model.is_object() || !model.contains("vocab") || !model["vocab"].is_object())
        fail("{}: 'model.vocab' must be an object of token: id", path);
    const json& addedTokens = addedTokensOf(root);
    const auto idLimit = static_cast<std::int64_t>(model["vocab"].size() + addedTokens.size());
    Vocabulary vocabulary = readVocab(model, idLimit, path);
    for (const auto& item : addedTokens) {
        AddedToken token;
        if (!item.contains("id") || !item["id"].is_number_integer())
            fail("{}: an entry of 'added_tokens' has no integer 'id'", path);
        token.content = requiredString(item, "content", path);
        token.id = item["id"].get<std::int64_t>();
        checkTokenId(token.id, idLimit, path, fmt::format("the 'added_tokens' id of {}", jsonQuoted(token.content)));
        token.lstrip = optionalBool(item, "lstrip", path).value_or(false);
        token.rstrip = optionalBool(item, "rstrip", path).value_or(false);
        token.singleWord = optionalBool(item, "single_word", path).value_or(false);
        token.special = optionalBool(item, "special", path).value_or(false);
        vocabulary.add(token.content, token.id);
        parts->addedTokens.push_back(token);
    }
    parts->model = readModel(model, std::move(vocabulary), parts->kind, path);

    const json& normalizer = root.contains("normalizer") ? root["normalizer"] : json();
    if (!normalizer.is_null()) {
        std::string type = typeOf(normalizer, "normalizer", path);
        if (type != "BertNormalizer")
            fail("{}: unsupported normalizer type '{}'", path, type);
        BertNormalizerOptions options;
        options.cleanText = optionalBool(normalizer, "clean_text", path).value_or(true);
        options.handleChineseChars = optionalBool(normalizer, "handle_chinese_chars", path).value_or(true);
        options.stripAccents = optionalBool(normalizer, "strip_accents", path);
        options.lowercase = optionalBool(normalizer, "lowercase", path).value_or(true);
        parts->normalizer = options;
    }

    const json& preTokenizer = root.contains("pre_tokenizer") ? root["pre_tokenizer"] : json();
    std::string preType = preTokenizer.is_null() ? "null" : typeOf(preTokenizer, "pre_tokenizer", path);
    if (preType == "BertPreTokenizer") {
        parts->preTokenizer = PreTokenizerKind::Bert;
    } else if (preType == "ByteLevel") {
        if (!optionalBool(preTokenizer, "use_regex", path).value_or(true))
            fail("{}: ByteLevel pre_tokenizer without use_regex is not supported", path);
        parts->preTokenizer = PreTokenizerKind::ByteLevel;
        parts->addPrefixSpace = optionalBool(preTokenizer, "add_prefix_space", path).value_or(false);
    } else {
        fail("{}: unsupported pre_tokenizer type '{}'", path, preType);
    }
    parts->postProcessor = readPostProcessor(
        root.contains("post_processor") ? root["post_processor"] : json(), parts->model->vocabulary().size(), path);

    parts->modelMaxLength = config.modelMaxLength;
    const auto& vocab = parts->model->vocabulary();
    if (const auto pad = firstKnownToken(vocab, { config.specialToken("pad_token", ""), "[PAD]", "<pad>" })) {
        parts->padToken = pad->first;
        parts->padTokenId = pad->second;
    }
    if (const auto mask = firstKnownToken(vocab, { config.specialToken("mask_token", ""), "[MASK]", "<mask>" }))
        parts->maskTokenId = mask->second;
    return parts;
}

} // namespace spw
