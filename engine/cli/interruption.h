#pragma once
// Ctrl-C (SIGINT) or SIGTERM while the CLI writes a folder: instead of dying with a half-written temporary folder
// beside the output, the first signal asks the work to stop at its next progress report (a cancel: the engine
// removes what it wrote and keeps an existing output as it was); the CLI then ends as the signal would have ended
// it, so that a calling shell or script sees the interruption. A second signal kills at once (kill -9 likewise):
// the next write of the same output tidies up what is left (engine/common/temporary_siblings.h).
#include "common/progress.h"

#include <iosfwd>
#include <string>

namespace spw::cli {

// Handles SIGINT and SIGTERM for its lifetime (except one that was ignored, as a background job ignores Ctrl-C);
// the previous handlers come back when it ends. One at a time.
class InterruptionGuard {
public:
    InterruptionGuard();
    ~InterruptionGuard();
    InterruptionGuard(const InterruptionGuard&) = delete;
    InterruptionGuard& operator=(const InterruptionGuard&) = delete;

    // A progress callback that cancels once a signal has arrived.
    ProgressCallback progress() const;
    // The signal that arrived, 0 while none has.
    int signal() const;
    // Prints "error: <what> (stopped by SIGTERM)" on `err`, then ends the process by that signal.
    [[noreturn]] void endBySignal(std::ostream& err, const std::string& what);
};

} // namespace spw::cli
