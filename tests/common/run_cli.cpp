#include "common/run_cli.h"

#include "cli/command_line.h"

#include <sstream>
#include <stdexcept>

#include <stdlib.h> // mkdtemp, getenv

namespace spw::test {

CliResult runCli(const std::vector<std::string>& args)
{
    std::ostringstream out;
    std::ostringstream err;
    CliResult result;
    result.exitCode = cli::runCommandLine(args, out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
}

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
