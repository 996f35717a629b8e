#include "export/export_test_support.h"

#include "common/temp_dir.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <vector>

namespace spw::test {
namespace fs = std::filesystem;

std::filesystem::path makeSourceFolder(const std::string& model, const std::string& tokenizer)
{
    const fs::path fixtures(SPW_FIXTURES_DIR);
    const fs::path folder = fs::path(makeTempDir("spw-export-src")) / model;
    fs::create_directories(folder);
    for (const auto& entry : fs::directory_iterator(fixtures / "models" / model)) {
        const std::string name = entry.path().filename().string();
        if (name == "inputs.safetensors" || name == "expected.safetensors")
            continue;
        fs::copy_file(entry.path(), folder / name);
    }
    if (!tokenizer.empty())
        for (const auto& entry : fs::directory_iterator(fixtures / "tokenizers" / tokenizer))
            fs::copy_file(entry.path(), folder / entry.path().filename());
    return folder;
}

std::string readText(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::map<std::string, std::string> fingerprint(const fs::path& folder)
{
    std::map<std::string, std::string> result;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        const std::string relative = fs::relative(entry.path(), folder).string();
        if (!entry.is_regular_file()) {
            result[relative] = "folder";
            continue;
        }
        const std::string bytes = readText(entry.path());
        std::uint64_t hash = 1469598103934665603ull;
        for (unsigned char c : bytes)
            hash = (hash ^ c) * 1099511628211ull;
        result[relative] = std::to_string(bytes.size()) + ":" + std::to_string(hash);
    }
    return result;
}

std::vector<std::string> listNames(const fs::path& folder)
{
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace spw::test
