#pragma once
// The engine's one error type. Its message names the file, tensor or field at fault, in one line, so that the CLI
// can print it as is (exit code 2) and the GUI can show it inline.
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace spw {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown when a progress callback returns false: the user cancelled. Not an input error.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args)
{
    throw Error(fmt::format(format, std::forward<Args>(args)...));
}

} // namespace spw
