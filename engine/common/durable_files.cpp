#include "common/durable_files.h"

#include "common/error.h"
#include "common/temporary_siblings.h"

#include <cerrno>
#include <cstring>
#include <ostream>
#include <streambuf>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace spw {
namespace fs = std::filesystem;
namespace {

// An output stream over a file descriptor that remembers the first write error (errno), so that a full disk is
// reported as such; std::ofstream only says that something failed.
class DescriptorBuffer : public std::streambuf {
public:
    explicit DescriptorBuffer(int descriptor)
        : m_descriptor(descriptor)
    {
        setp(m_buffer, m_buffer + kSize);
    }
    int error() const { return m_error; }

protected:
    int_type overflow(int_type ch) override
    {
        if (!drain())
            return traits_type::eof();
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }

    std::streamsize xsputn(const char* data, std::streamsize size) override
    {
        if (size < kSize)
            return std::streambuf::xsputn(data, size);
        // Large blocks (tensor data) go straight to the file, without a copy into the buffer.
        return drain() && writeAll(data, std::size_t(size)) ? size : 0;
    }

    int sync() override { return drain() ? 0 : -1; }

private:
    static constexpr std::streamsize kSize = 1 << 16;

    bool drain()
    {
        const bool written = writeAll(pbase(), std::size_t(pptr() - pbase()));
        setp(m_buffer, m_buffer + kSize);
        return written;
    }

    bool writeAll(const char* data, std::size_t size)
    {
        while (size > 0 && m_error == 0) {
            const ssize_t written = ::write(m_descriptor, data, size);
            if (written < 0 && errno != EINTR)
                m_error = errno;
            if (written > 0) {
                data += written;
                size -= std::size_t(written);
            }
        }
        return m_error == 0;
    }

    int m_descriptor;
    int m_error = 0;
    char m_buffer[kSize];
};

fs::path folderOf(const fs::path& path)
{
    return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// Removes the temporary file unless it was renamed into place.
struct TemporaryFile {
    fs::path path;
    int descriptor = -1;
    bool renamed = false;

    ~TemporaryFile()
    {
        if (descriptor >= 0)
            ::close(descriptor);
        if (!renamed)
            ::unlink(path.c_str());
    }
};

} // namespace

void writeFileAtomically(const fs::path& path, const std::function<void(std::ostream&)>& write)
{
    std::error_code error;
    if (fs::is_directory(path, error))
        fail("{}: is a folder, not a file", path.string());
    const fs::path folder = folderOf(path);
    if (!fs::is_directory(folder, error))
        fail("{}: the folder {} does not exist", path.string(), folder.string());
    for (const fs::path& abandoned : abandonedSiblings(path, "tmp"))
        fs::remove_all(abandoned, error);

    TemporaryFile temporary { newTemporarySibling(path, "tmp") };
    temporary.descriptor = ::open(temporary.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (temporary.descriptor < 0)
        failEnvironment("{}: cannot write in {} ({})", path.string(), folder.string(), std::strerror(errno));
    struct stat existing { };
    if (::stat(path.c_str(), &existing) == 0)
        ::fchmod(temporary.descriptor, existing.st_mode & 07777);

    DescriptorBuffer buffer(temporary.descriptor);
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (buffer.error() != 0)
        failEnvironment("{}: write failed ({})", path.string(), std::strerror(buffer.error()));
    if (!out)
        failEnvironment("{}: write failed", path.string());
    if (::fsync(temporary.descriptor) != 0)
        failEnvironment("{}: cannot flush to the disk ({})", path.string(), std::strerror(errno));
    if (::close(std::exchange(temporary.descriptor, -1)) != 0)
        failEnvironment("{}: write failed ({})", path.string(), std::strerror(errno));
    if (::rename(temporary.path.c_str(), path.c_str()) != 0)
        failEnvironment("{}: cannot move the written file into place ({})", path.string(), std::strerror(errno));
    temporary.renamed = true;
    syncToDisk(folder);
}

void writeFileAtomically(const fs::path& path, const std::string& content)
{
    writeFileAtomically(path, [&](std::ostream& out) { out.write(content.data(), std::streamsize(content.size())); });
}

void syncToDisk(const fs::path& path)
{
    const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0)
        failEnvironment("{}: cannot open to flush it to the disk ({})", path.string(), std::strerror(errno));
    const int result = ::fsync(descriptor);
    const int reason = errno;
    ::close(descriptor);
    if (result != 0 && reason != EINVAL)
        failEnvironment("{}: cannot flush to the disk ({})", path.string(), std::strerror(reason));
}

} // namespace spw
