#include "common/parse_integer.h"

#include <cerrno>
#include <cstdlib>

namespace spw {

std::optional<std::int64_t> parseInteger(const std::string& text)
{
    if (text.empty())
        return std::nullopt;
    errno = 0;
    char* end = nullptr;
    long long parsed = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || end != text.c_str() + text.size())
        return std::nullopt;
    return static_cast<std::int64_t>(parsed);
}

} // namespace spw
