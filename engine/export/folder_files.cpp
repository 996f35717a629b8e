#include "export/folder_files.h"

#include "common/error.h"
#include "common/file_reading.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <system_error>

namespace spw {
namespace fs = std::filesystem;
namespace {

constexpr std::uintmax_t kLargestCopiedFile = 64ull << 20;

bool endsWith(const std::string& text, const std::string& suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isWrittenByExport(const std::string& name)
{
    static const std::array<const char*, 12> weightSuffixes = {
        ".safetensors", ".safetensors.index.json", ".bin", ".bin.index.json", ".h5", ".msgpack",
        ".ckpt",        ".pt",                     ".pth", ".onnx",           ".ot", ".h5.index.json"};
    if (name == "config.json")
        return true;
    return std::any_of(weightSuffixes.begin(), weightSuffixes.end(),
                       [&](const char* suffix) { return endsWith(name, suffix); });
}

void writeJson(const fs::path& path, const nlohmann::ordered_json& json)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        fail("{}: cannot open for writing", path.string());
    // transformers writes its JSON files indented by 2, non-ASCII kept as is.
    try {
        out << json.dump(2, ' ', false) << '\n';
    } catch (const nlohmann::json::exception& e) {
        fail("{}: cannot write JSON ({})", path.string(), e.what());
    }
    if (!out)
        fail("{}: write failed", path.string());
}

void copyFile(const fs::path& from, const fs::path& to)
{
    std::error_code error;
    fs::copy_file(from, to, fs::copy_options::none, error);
    if (error)
        fail("{}: cannot copy to {} ({})", from.string(), to.string(), error.message());
}

// tokenizer.json keeps a truncation setting and, rarely, a model_max_length: both follow the new maximum.
bool updateTokenizerJson(nlohmann::ordered_json& json, std::int64_t maxLength)
{
    bool changed = false;
    if (json.is_object() && json.contains("truncation") && json["truncation"].is_object() &&
        json["truncation"].contains("max_length")) {
        json["truncation"]["max_length"] = maxLength;
        changed = true;
    }
    if (json.is_object() && json.contains("model_max_length")) {
        json["model_max_length"] = maxLength;
        changed = true;
    }
    return changed;
}

} // namespace

std::vector<std::string> copyFolderFiles(const fs::path& source, const fs::path& target,
                                         std::optional<std::int64_t> modelMaxLength,
                                         const ProgressCallback& progress)
{
    std::vector<fs::path> files;
    std::error_code error;
    for (fs::directory_iterator it(source, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (!it->is_regular_file() || isWrittenByExport(name))
            continue;
        if (it->file_size() > kLargestCopiedFile)
            continue;
        files.push_back(it->path());
    }
    if (error)
        fail("{}: cannot list the folder ({})", source.string(), error.message());
    std::sort(files.begin(), files.end());

    std::vector<std::string> written;
    bool hasTokenizerConfig = false;
    bool hasTokenizer = false;
    for (std::size_t i = 0; i < files.size(); ++i) {
        reportProgress(progress, float(i) / float(files.size()));
        const fs::path& from = files[i];
        const std::string name = from.filename().string();
        const fs::path to = target / name;
        hasTokenizer = hasTokenizer || name == "tokenizer.json" || name == "vocab.txt" || name == "vocab.json";
        if (name == "tokenizer_config.json") {
            hasTokenizerConfig = true;
            if (modelMaxLength) {
                nlohmann::ordered_json json = readOrderedJsonFile(from.string());
                if (!json.is_object())
                    fail("{}: must be a JSON object", from.string());
                json["model_max_length"] = *modelMaxLength;
                writeJson(to, json);
                written.push_back(name);
                continue;
            }
        } else if (name == "tokenizer.json" && modelMaxLength) {
            nlohmann::ordered_json json = readOrderedJsonFile(from.string());
            if (updateTokenizerJson(json, *modelMaxLength)) {
                writeJson(to, json);
                written.push_back(name);
                continue;
            }
        }
        copyFile(from, to);
        written.push_back(name);
    }
    if (modelMaxLength && hasTokenizer && !hasTokenizerConfig) {
        writeJson(target / "tokenizer_config.json", nlohmann::ordered_json{{"model_max_length", *modelMaxLength}});
        written.push_back("tokenizer_config.json");
    }
    reportProgress(progress, 1.0f);
    return written;
}

} // namespace spw
