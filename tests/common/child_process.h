#pragma once
// Child processes for the tests that need a real process: sparse-workbench-cli interrupted by a signal or killed,
// and the id of a process that is gone (the owner of an abandoned temporary folder).
#include <string>
#include <vector>

#include <sys/types.h>

namespace spw::test {

// Starts SPW_CLI_PATH with `args`, its stdout and stderr going to the two files. Returns its process id.
pid_t startCli(const std::vector<std::string>& args, const std::string& stdoutPath, const std::string& stderrPath);

// Waits for the child to end; returns its wait status (WIFEXITED, WTERMSIG, ...).
int waitForChild(pid_t child);

// Whether the child has ended, without waiting; `status` receives its wait status when it has.
bool childEnded(pid_t child, int& status);

// The id of a process that has just exited (and been reaped): no process runs under it now.
pid_t exitedProcessId();

} // namespace spw::test
