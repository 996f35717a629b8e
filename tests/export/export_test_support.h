#pragma once
// Helpers for the export tests: source folders assembled from the committed fixtures, and a fingerprint of a
// folder's files to prove that a source was not modified.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace spw::test {

// A fresh folder holding a copy of tests/fixtures/models/<model> (config and weights) plus the tokenizer files of
// tests/fixtures/tokenizers/<tokenizer>. Returns its path.
std::filesystem::path makeSourceFolder(const std::string& model, const std::string& tokenizer);

// Every file under `folder` (recursively, relative path) → its bytes' FNV-1a hash with its size.
std::map<std::string, std::string> fingerprint(const std::filesystem::path& folder);

// The names directly inside `folder`, sorted.
std::vector<std::string> listNames(const std::filesystem::path& folder);

std::string readText(const std::filesystem::path& path);

} // namespace spw::test
