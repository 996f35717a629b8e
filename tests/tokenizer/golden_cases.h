#pragma once
// Reads tests/fixtures/tokenizers/golden.json (written by tests/fixtures/make_tokenizer_fixtures.py on a machine
// with transformers): what AutoTokenizer made of each case, for each tokenizer folder.
#include "tokenizer/encoding.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace spw::test {

const nlohmann::json& goldenData();
std::string tokenizerFixture(const std::string& folder);
std::vector<std::string> goldenFolders();
// The reference ("auto") cases of a folder.
const nlohmann::json& goldenCases(const std::string& folder);
const nlohmann::json& goldenCase(const std::string& folder, const std::string& name);

// Byte offset in `text` (UTF-8) of code point number `index`.
std::size_t byteOffset(const std::string& text, std::size_t index);

// Compares an encoding with a golden record token for token; `texts` are the case's first text and pair (for
// offsets). Returns "" when equal, else a description of the first difference.
std::string compareWithGolden(
    const Encoding& encoding, const nlohmann::json& golden, const std::vector<std::string>& texts);

} // namespace spw::test
