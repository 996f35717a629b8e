#pragma once
// The text a masked-LM evaluation reads: one text file, or every .txt file of a folder (not its subfolders) in name
// order, each tokenized without special tokens into one document of token ids.
//
// A text is tokenized in pieces of about a mebibyte, cut only at a single ASCII space between two visible ASCII
// characters: both tokenizers give the same ids there as for the whole text (WordPiece splits words at every space;
// byte-level BPE's pre-tokenizer starts a new piece at " X" after a visible character and never joins a space to the
// character before it). So memory stays bounded by the piece, not the file, and --max-tokens stops early.
#include "common/progress.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spw {

class Tokenizer;

struct TokenizedText {
    std::vector<std::vector<std::int64_t>> documents; // one per file (or text), in order; none empty
    std::int64_t tokenCount = 0;
};

// `path` itself when it is a file; the .txt files inside it when it is a folder. spw::Error naming the path when it
// does not exist or a folder holds no .txt file.
std::vector<std::string> evaluationTextFiles(const std::string& path);

// Tokenizes `text` (read from `name`, for messages) in pieces, appending at most `maxTokens` ids in all (unset: no
// limit). spw::Error naming `name` when the text is not UTF-8 or holds NUL bytes (a binary file).
void appendTokenizedText(TokenizedText& corpus, const Tokenizer& tokenizer, const std::string& text,
    const std::string& name, std::optional<std::int64_t> maxTokens = std::nullopt,
    std::size_t pieceBytes = std::size_t(1) << 20);

// The files of evaluationTextFiles(path), read and tokenized in order until `maxTokens` ids (unset: all). Progress
// counts files; spw::Error naming the path when the text gives no tokens at all (empty, or only whitespace).
TokenizedText tokenizeEvaluationText(const std::string& path, const Tokenizer& tokenizer,
    std::optional<std::int64_t> maxTokens = std::nullopt, const ProgressCallback& progress = {});

} // namespace spw
