#include "common/temporary_siblings.h"

#include "common/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <random>
#include <system_error>

#include <signal.h>
#include <unistd.h>

namespace spw {
namespace fs = std::filesystem;
namespace {

fs::path folderOf(const fs::path& destination)
{
    return destination.has_parent_path() ? destination.parent_path() : fs::path(".");
}

std::string siblingPrefix(const fs::path& destination, const std::string& kind)
{
    return fmt::format(".{}.{}-", destination.filename().string(), kind);
}

// "PID-RANDOM" → PID; 0 when the rest of a name is anything else (another output's sibling whose name happens to
// start with this prefix, or a file of the user's).
pid_t ownerOf(const std::string& rest)
{
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || dash > 9 || dash + 1 == rest.size())
        return 0;
    const auto isDigit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    const auto isHex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    if (!std::all_of(rest.begin(), rest.begin() + dash, isDigit)
        || !std::all_of(rest.begin() + dash + 1, rest.end(), isHex))
        return 0;
    return pid_t(std::stol(rest.substr(0, dash)));
}

bool processRuns(pid_t pid)
{
    return pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH;
}

} // namespace

fs::path newTemporarySibling(const fs::path& destination, const std::string& kind)
{
    std::random_device device;
    std::mt19937_64 generator((std::uint64_t(device()) << 32) ^ device());
    const std::string prefix = siblingPrefix(destination, kind);
    for (int attempt = 0; attempt < 100; ++attempt) {
        fs::path candidate = folderOf(destination) / fmt::format("{}{}-{:x}", prefix, ::getpid(), generator());
        std::error_code error;
        if (!fs::exists(fs::symlink_status(candidate, error)))
            return candidate;
    }
    failEnvironment("{}: cannot find a free temporary name beside it", destination.string());
}

std::vector<fs::path> abandonedSiblings(const fs::path& destination, const std::string& kind)
{
    const std::string prefix = siblingPrefix(destination, kind);
    std::vector<fs::path> abandoned;
    std::error_code error;
    for (fs::directory_iterator it(folderOf(destination), error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0)
            continue;
        const pid_t owner = ownerOf(name.substr(prefix.size()));
        if (owner > 0 && !processRuns(owner))
            abandoned.push_back(it->path());
    }
    std::sort(abandoned.begin(), abandoned.end());
    return abandoned;
}

} // namespace spw
