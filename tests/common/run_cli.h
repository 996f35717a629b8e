#pragma once
// Runs sparse-workbench-cli in-process (the same entry point as the binary) and captures what it prints, so CLI
// tests check exit codes and messages without spawning processes.
#include <string>
#include <vector>

namespace spw::test {

struct CliResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

CliResult runCli(const std::vector<std::string>& args);

// A fresh empty folder under the system's temporary directory, removed by the caller when wanted.
std::string makeTempDir(const std::string& prefix);

} // namespace spw::test
