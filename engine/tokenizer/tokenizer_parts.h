#pragma once
// The pieces a Tokenizer is assembled from (by tokenizer_loader.cpp, or by tests directly).
#include "tokenizer/added_tokens.h"
#include "tokenizer/bert_normalizer.h"
#include "tokenizer/post_processor.h"
#include "tokenizer/subword_model.h"
#include "tokenizer/tokenizer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace spw {

enum class PreTokenizerKind { Bert, ByteLevel };

struct TokenizerParts {
    Tokenizer::Kind kind = Tokenizer::Kind::WordPiece;
    std::unique_ptr<SubwordModel> model;
    std::optional<BertNormalizerOptions> normalizer;
    PreTokenizerKind preTokenizer = PreTokenizerKind::Bert;
    bool addPrefixSpace = false; // byte-level pre-tokenizer
    std::vector<AddedToken> addedTokens;
    PostProcessor postProcessor;
    std::optional<std::int64_t> modelMaxLength;
    std::string padToken;
    std::optional<std::int64_t> padTokenId;
    std::optional<std::int64_t> maskTokenId;
    std::string sourceFile;
};

} // namespace spw
