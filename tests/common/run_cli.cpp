#include "common/run_cli.h"

#include "cli/command_line.h"

#include <filesystem>
#include <random>
#include <sstream>

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
    namespace fs = std::filesystem;
    std::random_device device;
    for (int attempt = 0; attempt < 100; ++attempt) {
        fs::path path = fs::temp_directory_path() / (prefix + "-" + std::to_string(device()));
        if (fs::create_directory(path))
            return path.string();
    }
    throw std::runtime_error("could not create a temporary folder for " + prefix);
}

} // namespace spw::test
