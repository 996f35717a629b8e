#pragma once
// The demo model's tokenizer files, built into the engine so that `create` and the GUI's demo need no download:
// a small WordPiece vocabulary for BERT (vocab.txt) and a small byte-level BPE for RoBERTa (vocab.json +
// merges.txt), each with tokenizer_config.json and special_tokens_map.json as transformers writes them.
#include "model/model_family.h"

#include <cstdint>
#include <string>

namespace spw {

// Number of entries in the demo vocabulary of `family` (a model's vocab_size must be at least this).
std::int64_t demoVocabularySize(ModelFamily family);

// Writes the tokenizer files into `directory` (which must exist), with `model_max_length` = modelMaxLength.
// Throws spw::Error naming the file on a write failure.
void writeDemoTokenizerFiles(const std::string& directory, ModelFamily family, std::int64_t modelMaxLength);

} // namespace spw
