#include "common/file_reading.h"

#include "common/error.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace spw {
namespace {

const char* nonRegularKind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "a special file";
}

// Closes the descriptor on every way out of readWholeFile.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd)
        : m_fd(fd)
    {
    }
    ~FileDescriptor()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

std::string tooLarge(const std::string& path, std::uint64_t largest)
{
    const std::string bound
        = largest % (1 << 20) == 0 ? fmt::format("{} MiB", largest >> 20) : fmt::format("{} bytes", largest);
    return fmt::format("{}: larger than the {} this file may have", path, bound);
}

template <typename Json> Json parseBounded(std::string_view text, const std::string& what)
{
    // The callback sees each container as it opens, at its depth (0 for the outermost), before anything deeper is
    // built: the parse stops there instead of building a tree whose copy or dump would overflow the stack.
    const typename Json::parser_callback_t limitDepth = [&what](int depth, nlohmann::json::parse_event_t event, Json&) {
        if (depth >= kDeepestJson
            && (event == nlohmann::json::parse_event_t::object_start
                || event == nlohmann::json::parse_event_t::array_start))
            fail("{}: JSON nested deeper than {} levels", what, kDeepestJson);
        return true;
    };
    try {
        return Json::parse(text.begin(), text.end(), limitDepth);
    } catch (const nlohmann::json::exception& e) {
        fail("{}: not valid JSON ({})", what, e.what());
    }
}

} // namespace

std::string readWholeFile(const std::string& path, std::uint64_t largest)
{
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. It changes nothing for the
    // regular files that are read below.
    const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0)
        fail("{}: cannot open ({})", path, std::strerror(errno));
    struct stat status { };
    if (::fstat(fd.get(), &status) != 0)
        fail("{}: cannot read ({})", path, std::strerror(errno));
    if (S_ISDIR(status.st_mode))
        fail("{}: is a folder, not a file", path);
    if (!S_ISREG(status.st_mode))
        fail("{}: is {}, not a regular file", path, nonRegularKind(status.st_mode));
    if (std::uint64_t(status.st_size) > largest)
        throw Error(tooLarge(path, largest));

    // Read to the end rather than st_size bytes (a file may grow while it is read), never past the bound.
    std::string content;
    content.reserve(std::size_t(status.st_size));
    char chunk[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("{}: cannot read ({})", path, std::strerror(errno));
        if (n == 0)
            return content;
        if (content.size() + std::uint64_t(n) > largest)
            throw Error(tooLarge(path, largest));
        content.append(chunk, std::size_t(n));
    }
}

nlohmann::json parseJson(std::string_view text, const std::string& what)
{
    return parseBounded<nlohmann::json>(text, what);
}

nlohmann::ordered_json parseOrderedJson(std::string_view text, const std::string& what)
{
    return parseBounded<nlohmann::ordered_json>(text, what);
}

nlohmann::json readJsonFile(const std::string& path)
{
    return parseJson(readWholeFile(path), path);
}

nlohmann::ordered_json readOrderedJsonFile(const std::string& path)
{
    return parseOrderedJson(readWholeFile(path), path);
}

} // namespace spw
