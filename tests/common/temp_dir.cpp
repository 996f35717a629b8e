#include "common/temp_dir.h"

#include <stdexcept>

#include <stdlib.h> // mkdtemp, getenv

namespace spw::test {

std::string makeTempDir(const std::string& prefix)
{
    // mkdtemp creates a fresh folder atomically, under $TMPDIR as std::filesystem::temp_directory_path would.
    const char* base = ::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("could not create a temporary folder for " + prefix);
    return pattern;
}

} // namespace spw::test
