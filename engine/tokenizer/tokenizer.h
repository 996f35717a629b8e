#pragma once
// A BERT (WordPiece) or RoBERTa (byte-level BPE) tokenizer read from a checkpoint folder, giving the same ids as
// transformers' AutoTokenizer for the same folder.
//
// Files read from the folder (design.md §5):
//   tokenizer.json         when present, the whole pipeline: model (WordPiece or BPE), normalizer (BertNormalizer
//                          or none), pre-tokenizer (BertPreTokenizer or ByteLevel), post-processor
//                          (TemplateProcessing, BertProcessing, RobertaProcessing or none), added_tokens
//   vocab.txt              otherwise, WordPiece: one token per line, the line number is its id
//   vocab.json, merges.txt otherwise, byte-level BPE: {token: id}, and "#version" then one "left right" merge
//                          per line in rank order
//   tokenizer_config.json  model_max_length, do_lower_case, strip_accents, tokenize_chinese_chars,
//                          add_prefix_space, trim_offsets, the special tokens (*_token) and added_tokens_decoder;
//                          special_tokens_map.json fills in special tokens the config does not name
// Every malformed file throws spw::Error naming the file (and line or key).
#include "tokenizer/encoding.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace spw {

struct TokenizerParts;

class Tokenizer {
public:
    enum class Kind { WordPiece, BytePairEncoding };

    // Throws spw::Error when `directory` has no tokenizer files, naming the folder and the files looked for.
    static std::unique_ptr<Tokenizer> load(const std::string& directory);
    // True when `directory` has tokenizer.json, vocab.txt or vocab.json.
    static bool hasTokenizerFiles(const std::string& directory);

    explicit Tokenizer(std::unique_ptr<TokenizerParts> parts);
    ~Tokenizer();

    // An empty `pair` counts as no pair, as in transformers. Throws spw::Error for a maxLength too short for the
    // special tokens, or for MaxLength padding without any maximum length.
    Encoding encode(const std::string& text, const std::optional<std::string>& pair = std::nullopt,
        const EncodeOptions& options = {}) const;
    // Padding::Longest pads every encoding to the longest of the batch.
    std::vector<Encoding> encodeBatch(const std::vector<std::string>& texts, const EncodeOptions& options = {}) const;

    Kind kind() const;
    std::string kindName() const; // "wordpiece" or "bpe"
    // tokenizer_config.json's model_max_length; unset when the folder does not say.
    std::optional<std::int64_t> modelMaxLength() const;
    // The padding token (tokenizer_config.json's pad_token, else "[PAD]" or "<pad>"); unset when there is none.
    std::optional<std::int64_t> padTokenId() const;
    const std::string& padToken() const;
    // The masking token (tokenizer_config.json's mask_token, else "[MASK]" or "<mask>"); unset when there is none.
    std::optional<std::int64_t> maskTokenId() const;
    // The ids encode puts before and after one text (BERT: [CLS] / [SEP], RoBERTa: <s> / </s>).
    std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> singleTextSpecialIds() const;
    // One past the largest id, added tokens included (a model's vocab_size must be at least this).
    std::int64_t vocabSize() const;
    std::optional<std::int64_t> tokenToId(const std::string& token) const;
    std::string idToToken(std::int64_t id) const;
    // How many special tokens encode adds to one text or a pair.
    std::size_t specialTokenCount(bool pair) const;
    // The file the model came from (tokenizer.json, vocab.txt or vocab.json), for messages.
    const std::string& sourceFile() const;

private:
    std::int64_t padId() const;

    std::unique_ptr<TokenizerParts> m_parts;
};

} // namespace spw
