// Tokenizer::load: tokenizer.json when the folder has one, else the slow tokenizers' vocabulary files, assembled
// the way transformers' BertTokenizer and RobertaTokenizer assemble them.
#include "common/error.h"
#include "common/folder_containment.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_files.h"
#include "tokenizer/tokenizer_parts.h"
#include "tokenizer/wordpiece_model.h"

#include <filesystem>

namespace spw {
namespace {

namespace fs = std::filesystem;

// Registers the special tokens named in the config (appending any the vocabulary lacks, as transformers does)
// and the added_tokens_decoder entries, so that they are matched in the text.
std::vector<AddedToken> specialAddedTokens(const TokenizerConfig& config, Vocabulary& vocabulary,
    const std::vector<std::string>& keys, const std::map<std::string, std::string>& defaults,
    const std::string& lstripToken)
{
    std::vector<AddedToken> tokens;
    // The decoder may list tokens of the vocabulary file and tokens added after it, so together they define at
    // most this many ids.
    const std::int64_t idLimit = vocabulary.size() + static_cast<std::int64_t>(config.addedTokens.size());
    for (const auto& entry : config.addedTokens) {
        checkTokenId(entry.id, idLimit, config.file,
            fmt::format("the 'added_tokens_decoder' id of {}", jsonQuoted(entry.content)));
        vocabulary.add(entry.content, entry.id);
        tokens.push_back(entry);
    }
    for (const auto& key : keys) {
        std::string content = config.specialToken(key, defaults.at(key));
        bool known = false;
        for (const auto& token : tokens)
            known = known || token.content == content;
        if (known || content.empty())
            continue;
        if (!vocabulary.contains(content))
            vocabulary.add(content, vocabulary.size());
        AddedToken token;
        token.content = content;
        token.id = *vocabulary.find(content);
        token.lstrip = content == lstripToken;
        tokens.push_back(token);
    }
    return tokens;
}

void setPadding(TokenizerParts& parts, const std::string& padToken)
{
    if (auto id = parts.model->vocabulary().find(padToken)) {
        parts.padToken = padToken;
        parts.padTokenId = id;
    }
}

std::unique_ptr<TokenizerParts> wordPieceParts(const std::string& vocabPath, const TokenizerConfig& config)
{
    Vocabulary vocabulary = readVocabTxt(vocabPath);
    const std::map<std::string, std::string> defaults = { { "unk_token", "[UNK]" }, { "sep_token", "[SEP]" },
        { "pad_token", "[PAD]" }, { "cls_token", "[CLS]" }, { "mask_token", "[MASK]" } };
    auto parts = std::make_unique<TokenizerParts>();
    parts->sourceFile = vocabPath;
    parts->kind = Tokenizer::Kind::WordPiece;
    parts->addedTokens = specialAddedTokens(
        config, vocabulary, { "unk_token", "sep_token", "pad_token", "cls_token", "mask_token" }, defaults, "");
    const std::string unk = config.requiredSpecialToken("unk_token", "[UNK]");
    const std::string cls = config.requiredSpecialToken("cls_token", "[CLS]");
    const std::string sep = config.requiredSpecialToken("sep_token", "[SEP]");
    const std::int64_t clsId = *vocabulary.find(cls);
    const std::int64_t sepId = *vocabulary.find(sep);
    parts->model = std::make_unique<WordPieceModel>(std::move(vocabulary), unk, "##", 100, vocabPath);
    BertNormalizerOptions normalizer;
    normalizer.lowercase = config.doLowerCase.value_or(true);
    normalizer.stripAccents = config.stripAccents;
    normalizer.handleChineseChars = config.tokenizeChineseChars.value_or(true);
    parts->normalizer = normalizer;
    parts->preTokenizer = PreTokenizerKind::Bert;
    parts->postProcessor = bertPostProcessor(cls, clsId, sep, sepId);
    parts->modelMaxLength = config.modelMaxLength;
    setPadding(*parts, config.specialToken("pad_token", "[PAD]"));
    parts->maskTokenId = parts->model->vocabulary().find(config.specialToken("mask_token", "[MASK]"));
    return parts;
}

std::unique_ptr<TokenizerParts> bpeParts(
    const std::string& vocabPath, const std::string& mergesPath, const TokenizerConfig& config)
{
    Vocabulary vocabulary = readVocabJson(vocabPath);
    auto merges = readMergesTxt(mergesPath);
    const std::map<std::string, std::string> defaults
        = { { "bos_token", "<s>" }, { "eos_token", "</s>" }, { "unk_token", "<unk>" }, { "sep_token", "</s>" },
              { "cls_token", "<s>" }, { "pad_token", "<pad>" }, { "mask_token", "<mask>" } };
    auto parts = std::make_unique<TokenizerParts>();
    parts->sourceFile = vocabPath;
    parts->kind = Tokenizer::Kind::BytePairEncoding;
    // RoBERTa's <mask> swallows the space before it, so "a <mask>" predicts the word with its space.
    parts->addedTokens = specialAddedTokens(config, vocabulary,
        { "bos_token", "eos_token", "unk_token", "sep_token", "cls_token", "pad_token", "mask_token" }, defaults,
        config.specialToken("mask_token", "<mask>"));
    const std::string cls = config.requiredSpecialToken("cls_token", "<s>");
    const std::string sep = config.requiredSpecialToken("sep_token", "</s>");
    const std::int64_t clsId = *vocabulary.find(cls);
    const std::int64_t sepId = *vocabulary.find(sep);
    parts->model = std::make_unique<BpeModel>(std::move(vocabulary), merges, std::nullopt, mergesPath);
    parts->preTokenizer = PreTokenizerKind::ByteLevel;
    parts->addPrefixSpace = config.addPrefixSpace.value_or(false);
    parts->postProcessor
        = robertaPostProcessor(cls, clsId, sep, sepId, config.trimOffsets.value_or(true), parts->addPrefixSpace);
    parts->modelMaxLength = config.modelMaxLength;
    setPadding(*parts, config.specialToken("pad_token", "<pad>"));
    parts->maskTokenId = parts->model->vocabulary().find(config.specialToken("mask_token", "<mask>"));
    return parts;
}

} // namespace

bool Tokenizer::hasTokenizerFiles(const std::string& directory)
{
    fs::path dir(directory);
    return fs::exists(dir / "tokenizer.json") || fs::exists(dir / "vocab.txt") || fs::exists(dir / "vocab.json");
}

std::unique_ptr<Tokenizer> Tokenizer::load(const std::string& directory)
{
    fs::path dir(directory);
    if (!fs::is_directory(dir))
        fail("tokenizer folder {} does not exist", directory);
    for (const char* name : { "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json", "vocab.txt",
             "vocab.json", "merges.txt" })
        if (fs::exists(dir / name))
            requireInsideFolder(dir, dir / name);
    TokenizerConfig config = readTokenizerConfig(directory);
    if (fs::exists(dir / "tokenizer.json"))
        return std::make_unique<Tokenizer>(partsFromTokenizerJson((dir / "tokenizer.json").string(), config));
    if (fs::exists(dir / "vocab.txt"))
        return std::make_unique<Tokenizer>(wordPieceParts((dir / "vocab.txt").string(), config));
    if (fs::exists(dir / "vocab.json")) {
        if (!fs::exists(dir / "merges.txt"))
            fail("{} has vocab.json but no merges.txt", directory);
        return std::make_unique<Tokenizer>(
            bpeParts((dir / "vocab.json").string(), (dir / "merges.txt").string(), config));
    }
    fail("no tokenizer files in {} (looked for tokenizer.json, vocab.txt, vocab.json + merges.txt)", directory);
}

} // namespace spw
