#include "common/available_memory.h"

#include "common/error.h"

#include <fstream>
#include <sstream>
#include <string>

namespace spw {

std::optional<std::uint64_t> availableMemoryBytes()
{
    std::ifstream meminfo("/proc/meminfo");
    std::string line;
    while (std::getline(meminfo, line)) {
        if (line.rfind("MemAvailable:", 0) != 0)
            continue;
        std::istringstream fields(line.substr(13));
        std::uint64_t kibibytes = 0;
        if (fields >> kibibytes)
            return kibibytes * 1024;
    }
    return std::nullopt;
}

void requireMemory(double bytes, const std::string& what, const std::string& advice)
{
    // Below a quarter GiB there is nothing to fear, and no need to read /proc/meminfo on every call.
    constexpr double kAlwaysFits = double(1 << 28);
    if (bytes < kAlwaysFits)
        return;
    const std::optional<std::uint64_t> available = availableMemoryBytes();
    if (!available || bytes <= double(*available))
        return;
    constexpr double kGiB = double(1 << 30);
    fail("{} needs about {:.1f} GiB, more than the {:.1f} GiB of memory available{}{}", what, bytes / kGiB,
        double(*available) / kGiB, advice.empty() ? "" : ": ", advice);
}

} // namespace spw
