#include "common/child_process.h"

#include <cerrno>
#include <stdexcept>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace spw::test {

pid_t startCli(const std::vector<std::string>& args, const std::string& stdoutPath, const std::string& stderrPath)
{
    std::vector<std::string> all { SPW_CLI_PATH };
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : all)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, stdoutPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // SIGINT and SIGTERM as a terminal would deliver them, even when the tests run as a background job (which
    // ignores SIGINT, and passes that on).
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
    pid_t child = 0;
    const int result = ::posix_spawn(&child, SPW_CLI_PATH, &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (result != 0)
        throw std::runtime_error("cannot start " SPW_CLI_PATH);
    return child;
}

int waitForChild(pid_t child)
{
    int status = 0;
    while (::waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            throw std::runtime_error("waitpid failed");
    return status;
}

bool childEnded(pid_t child, int& status)
{
    return ::waitpid(child, &status, WNOHANG) == child;
}

pid_t exitedProcessId()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    waitForChild(child);
    return child;
}

} // namespace spw::test
