#include "fuzz_support.h"

#include "common/temp_dir.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace spw::fuzz {
namespace {

struct ScratchFolder {
    std::string path = test::makeTempDir("spw-fuzz");
    ~ScratchFolder()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

} // namespace

const std::string& scratchFolder()
{
    static const ScratchFolder folder;
    return folder.path;
}

std::string scratchSubfolder(const std::string& name)
{
    const std::string path = scratchFolder() + "/" + name;
    std::error_code error;
    std::filesystem::create_directories(path, error);
    if (error)
        finding("the harness could not create " + path);
    return path;
}

void writeFile(const std::string& path, const void* data, std::size_t size)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out.flush())
        finding("the harness could not write " + path);
}

void writeFile(const std::string& path, const std::string& text)
{
    writeFile(path, text.data(), text.size());
}

void finding(const std::string& what)
{
    std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

} // namespace spw::fuzz
