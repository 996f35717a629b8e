#include "common/available_memory.h"

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

} // namespace spw
