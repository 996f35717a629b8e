#include "common/file_reading.h"

#include "common/error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace spw {
namespace {

template <typename Json> Json parseJson(const std::string& path)
{
    const std::string text = readWholeFile(path);
    try {
        return Json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        fail("{}: not valid JSON ({})", path, e.what());
    }
}

} // namespace

std::string readWholeFile(const std::string& path)
{
    // An ifstream opens a folder without complaint and fails only when read, with a message naming no file.
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
        fail("{}: is a folder, not a file", path);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail("{}: cannot open ({})", path, std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        fail("{}: cannot read ({})", path, std::strerror(errno));
    return buffer.str();
}

nlohmann::json readJsonFile(const std::string& path)
{
    return parseJson<nlohmann::json>(path);
}

nlohmann::ordered_json readOrderedJsonFile(const std::string& path)
{
    return parseJson<nlohmann::ordered_json>(path);
}

} // namespace spw
