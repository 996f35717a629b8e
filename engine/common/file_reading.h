#pragma once
// Whole-file reads of the files a user hands the engine (configurations, checkpoints' JSON, tokenizer files, texts),
// and the one JSON parser every such file goes through. A model folder is untrusted input: any file in it may be a
// FIFO, a link to /dev/zero, gigabytes long or JSON nested 100,000 deep. So:
//   - only regular files are read (opened without blocking, so a FIFO cannot hang the program), up to a size bound;
//   - JSON may nest at most kDeepestJson levels: nlohmann's copies, comparisons and dumps recurse once per level,
//     and a deep enough document overflows the stack in them.
// Every way a read can fail (missing, unreadable, a folder or a FIFO given for a file, too large, broken or too deep
// JSON) is an spw::Error starting with the path, so that the CLI prints one line and exits 2 and the GUI shows it
// inline.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace spw {

// JSON configurations, tokenizer files, vocabularies and texts: the largest real ones (a multilingual
// tokenizer.json) are a few tens of MiB. Weights are not read whole (io/safetensors.h maps them).
constexpr std::uint64_t kLargestTextFile = 64ull << 20;

// HuggingFace's files nest at most about 6 levels (tokenizer.json's normalizer sequences); ds_config 3.
constexpr int kDeepestJson = 64;

std::string readWholeFile(const std::string& path, std::uint64_t largest = kLargestTextFile);

// Parses `text` read from `what` (a path, or a description such as "safetensors header of <path>"):
// "<what>: not valid JSON (<parser's words>)" or "<what>: JSON nested deeper than <kDeepestJson> levels".
nlohmann::json parseJson(std::string_view text, const std::string& what);
nlohmann::ordered_json parseOrderedJson(std::string_view text, const std::string& what);

nlohmann::json readJsonFile(const std::string& path);
nlohmann::ordered_json readOrderedJsonFile(const std::string& path);

} // namespace spw
