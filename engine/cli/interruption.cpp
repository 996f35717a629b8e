#include "cli/interruption.h"

#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <ostream>

#include <signal.h>

namespace spw::cli {
namespace {

volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_previousInterrupt { };
struct sigaction g_previousTerminate { };

extern "C" void recordSignal(int signal)
{
    g_signal = signal;
}

} // namespace

InterruptionGuard::InterruptionGuard()
{
    g_signal = 0;
    struct sigaction action { };
    action.sa_handler = recordSignal;
    sigemptyset(&action.sa_mask);
    // A second signal of the same kind takes its default course (it kills); system calls under way resume rather
    // than fail with EINTR, so that the signal is seen as a cancel at the next progress report, not as an I/O error.
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    ::sigaction(SIGINT, &action, &g_previousInterrupt);
    ::sigaction(SIGTERM, &action, &g_previousTerminate);
    // A signal ignored by whoever started us stays ignored (a shell's background job ignores Ctrl-C).
    if (g_previousInterrupt.sa_handler == SIG_IGN)
        ::sigaction(SIGINT, &g_previousInterrupt, nullptr);
    if (g_previousTerminate.sa_handler == SIG_IGN)
        ::sigaction(SIGTERM, &g_previousTerminate, nullptr);
}

InterruptionGuard::~InterruptionGuard()
{
    ::sigaction(SIGINT, &g_previousInterrupt, nullptr);
    ::sigaction(SIGTERM, &g_previousTerminate, nullptr);
}

ProgressCallback InterruptionGuard::progress() const
{
    return [](float) { return g_signal == 0; };
}

int InterruptionGuard::signal() const
{
    return g_signal;
}

void InterruptionGuard::endBySignal(std::ostream& err, const std::string& what)
{
    const int received = g_signal;
    err << fmt::format("error: {} (stopped by {})\n", what, received == SIGINT ? "SIGINT" : "SIGTERM");
    err.flush();
    struct sigaction defaultAction { };
    defaultAction.sa_handler = SIG_DFL;
    sigemptyset(&defaultAction.sa_mask);
    ::sigaction(received, &defaultAction, nullptr);
    ::raise(received);
    std::_Exit(128 + received); // only if the signal is blocked
}

} // namespace spw::cli
