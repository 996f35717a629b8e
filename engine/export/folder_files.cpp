#include "export/folder_files.h"

#include "common/error.h"
#include "common/file_reading.h"
#include "common/folder_containment.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
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
    static const std::array<const char*, 12> weightSuffixes = { ".safetensors", ".safetensors.index.json", ".bin",
        ".bin.index.json", ".h5", ".msgpack", ".ckpt", ".pt", ".pth", ".onnx", ".ot", ".h5.index.json" };
    if (name == "config.json")
        return true;
    return std::any_of(
        weightSuffixes.begin(), weightSuffixes.end(), [&](const char* suffix) { return endsWith(name, suffix); });
}

// The bytes dump(2) adds to the compact dump: a line break and indentation before every member and before the
// closing bracket of a non-empty container, and a space after each key's colon. Recursion is as deep as the
// document, which the reader bounds (common/file_reading.h).
std::uint64_t indentationBytes(const nlohmann::ordered_json& json, std::uint64_t depth)
{
    if (!json.is_structured() || json.empty())
        return 0;
    std::uint64_t bytes = 1 + 2 * depth;
    for (auto it = json.begin(); it != json.end(); ++it)
        bytes += 1 + 2 * (depth + 1) + (json.is_object() ? 1 : 0) + indentationBytes(*it, depth + 1);
    return bytes;
}

// The files go into the export's own staging folder: failing to write them is the machine's failure (no space, an
// I/O error), not the user's.
void writeJson(const fs::path& path, const nlohmann::ordered_json& json)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        failEnvironment("{}: cannot open for writing ({})", path.string(), std::strerror(errno));
    // transformers writes its JSON files indented by 2, non-ASCII kept as is; indentation that would more than
    // quadruple a deeply nested file is left out.
    try {
        std::string text = json.dump(-1, ' ', false);
        if (indentationBytes(json, 0) <= 3 * text.size())
            text = json.dump(2, ' ', false);
        out << text << '\n';
    } catch (const nlohmann::json::exception& e) {
        fail("{}: cannot write JSON ({})", path.string(), e.what());
    }
    out.flush();
    if (!out)
        failEnvironment("{}: write failed ({})", path.string(), std::strerror(errno));
}

// A source file that cannot be read is the user's to fix (exit 2); a copy that cannot be written is the machine's.
void copyFile(const fs::path& from, const fs::path& to)
{
    if (!std::ifstream(from, std::ios::binary))
        fail("{}: cannot open ({})", from.string(), std::strerror(errno));
    std::error_code error;
    fs::copy_file(from, to, fs::copy_options::none, error);
    if (error)
        failEnvironment("{}: cannot copy to {} ({})", from.string(), to.string(), error.message());
}

// tokenizer.json keeps a truncation setting and, rarely, a model_max_length: both follow the new maximum.
bool updateTokenizerJson(nlohmann::ordered_json& json, std::int64_t maxLength)
{
    bool changed = false;
    if (json.is_object() && json.contains("truncation") && json["truncation"].is_object()
        && json["truncation"].contains("max_length")) {
        json["truncation"]["max_length"] = maxLength;
        changed = true;
    }
    if (json.is_object() && json.contains("model_max_length")) {
        json["model_max_length"] = maxLength;
        changed = true;
    }
    return changed;
}

// Why an entry of the source folder is not copied, or nothing when it is a file to copy. Folders are not carried
// over and not reported.
std::optional<std::string> reasonToSkip(const fs::path& source, const fs::directory_entry& entry)
{
    std::error_code error;
    const fs::file_status status = entry.status(error); // through links
    if (!resolvesInsideFolder(source, entry.path()))
        return "a link leading outside the folder";
    if (fs::is_directory(status))
        return std::nullopt;
    if (!fs::exists(status))
        return "a broken link";
    if (!fs::is_regular_file(status))
        return "not a regular file";
    if (entry.file_size(error) > kLargestCopiedFile || error)
        return fmt::format("larger than {} MiB", kLargestCopiedFile >> 20);
    return std::nullopt;
}

} // namespace

CopiedFiles copyFolderFiles(const fs::path& source, const fs::path& target, std::optional<std::int64_t> modelMaxLength,
    const ProgressCallback& progress)
{
    CopiedFiles result;
    std::vector<fs::path> files;
    std::error_code error;
    for (fs::directory_iterator it(source, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (isWrittenByExport(name))
            continue;
        std::error_code ignored;
        if (std::optional<std::string> reason = reasonToSkip(source, *it))
            result.skipped.push_back(fmt::format("{} ({})", name, *reason));
        else if (it->is_regular_file(ignored))
            files.push_back(it->path());
    }
    if (error)
        fail("{}: cannot list the folder ({})", source.string(), error.message());
    std::sort(files.begin(), files.end());
    std::sort(result.skipped.begin(), result.skipped.end());

    std::vector<std::string>& written = result.written;
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
        writeJson(target / "tokenizer_config.json", nlohmann::ordered_json { { "model_max_length", *modelMaxLength } });
        written.push_back("tokenizer_config.json");
    }
    reportProgress(progress, 1.0f);
    return result;
}

} // namespace spw
