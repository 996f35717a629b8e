#pragma once
// Whole-file reads of the files a user hands the engine (configurations, checkpoints' JSON, texts). Every way such a
// read can fail (missing, unreadable, a folder given for a file, broken JSON) is an spw::Error starting with the
// path, so that the CLI prints one line and exits 2 and the GUI shows it inline.
#include <nlohmann/json.hpp>

#include <string>

namespace spw {

std::string readWholeFile(const std::string& path);

// "<path>: not valid JSON (<parser's words>)" when the text does not parse.
nlohmann::json readJsonFile(const std::string& path);
nlohmann::ordered_json readOrderedJsonFile(const std::string& path);

} // namespace spw
