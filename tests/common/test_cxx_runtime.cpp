// The project's binaries must call the C++ runtime's own std::filesystem, not copies that other libraries export:
// PyTorch's libtorch.so exports a remove_all that crashes when called from outside PyTorch (the GPU machine's test
// suite died in every test that removed a temporary folder). The top-level CMakeLists.txt puts libstdc++ first in
// every binary's library list; this test checks where the calls really resolve.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace {

std::string libraryDefining(const void* function)
{
    Dl_info info {};
    if (dladdr(function, &info) == 0 || info.dli_fname == nullptr)
        return "(unknown)";
    return info.dli_fname;
}

TEST(CxxRuntime, FilesystemCallsResolveIntoLibstdcxx)
{
    using RemoveAll = std::uintmax_t (*)(const std::filesystem::path&);
    using Status = std::filesystem::file_status (*)(const std::filesystem::path&);
    using TempDirectory = std::filesystem::path (*)();
    const RemoveAll removeAll = &std::filesystem::remove_all;
    const Status status = &std::filesystem::status;
    const TempDirectory tempDirectory = &std::filesystem::temp_directory_path;
    for (const void* function : { reinterpret_cast<const void*>(removeAll), reinterpret_cast<const void*>(status),
             reinterpret_cast<const void*>(tempDirectory) })
        EXPECT_NE(libraryDefining(function).find("libstdc++"), std::string::npos) << libraryDefining(function);
}

} // namespace
