#pragma once
// The engine's error types. A message names the file, tensor or field at fault, in one line, so that the CLI can
// print it as is and the GUI can show it inline. The CLI exits 2 for an spw::Error (a mistake in an input: a file, a
// field, a flag) and 1 for an spw::EnvironmentError (the input was fine but the machine failed: design.md §6).
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace spw {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message)
        : std::runtime_error(message)
    {
    }
};

// A failure of the machine rather than of an input: a write, fsync or rename that failed (a full disk, a read-only
// or vanished folder, no permission to write there), no CUDA device, a CUDA error. Retrying elsewhere or later may
// work; changing the input would not.
class EnvironmentError : public Error {
public:
    using Error::Error;
};

// Thrown when a progress callback returns false: the user cancelled. Not an input error.
class Cancelled : public std::runtime_error {
public:
    Cancelled()
        : std::runtime_error("cancelled")
    {
    }
};

template <typename... Args> [[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args)
{
    throw Error(fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args> [[noreturn]] void failEnvironment(fmt::format_string<Args...> format, Args&&... args)
{
    throw EnvironmentError(fmt::format(format, std::forward<Args>(args)...));
}

} // namespace spw
