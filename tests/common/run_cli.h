#pragma once
// Runs sparse-workbench-cli in-process (the same entry point as the binary) and captures what it prints, so CLI
// tests check exit codes and messages without spawning processes. Test binaries that use it are declared with
// spw_add_engine_test(... CLI), which links the CLI library.
#include "common/temp_dir.h"

#include <string>
#include <vector>

namespace spw::test {

struct CliResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

CliResult runCli(const std::vector<std::string>& args);

} // namespace spw::test
