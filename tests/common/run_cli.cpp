#include "common/run_cli.h"

#include "cli/command_line.h"

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

} // namespace spw::test
