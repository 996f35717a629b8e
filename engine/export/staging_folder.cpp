#include "export/staging_folder.h"

#include "common/error.h"

#include <random>
#include <system_error>

#include <unistd.h>

namespace spw {
namespace fs = std::filesystem;
namespace {

// A sibling name no other export (or other process) is using: dot-prefixed so that it stays out of listings.
fs::path uniqueSibling(const fs::path& destination, const char* tag)
{
    std::random_device device;
    std::mt19937_64 generator(device() ^ (std::uint64_t(::getpid()) << 20));
    for (int attempt = 0; attempt < 100; ++attempt) {
        fs::path candidate = destination.parent_path() /
                             fmt::format(".{}.{}-{:x}", destination.filename().string(), tag, generator());
        std::error_code error;
        if (!fs::exists(candidate, error))
            return candidate;
    }
    fail("{}: cannot find a free temporary name beside it", destination.string());
}

} // namespace

StagingFolder::StagingFolder(const fs::path& destination, bool replace)
    : m_destination(fs::absolute(destination).lexically_normal()), m_replace(replace)
{
    if (m_destination.filename().empty())  // "out/" normalises to "out/" with an empty file name
        m_destination = m_destination.parent_path();
    const fs::path parent = m_destination.parent_path();
    std::error_code error;
    if (!fs::is_directory(parent, error))
        fail("{}: the output folder's parent {} does not exist", m_destination.string(), parent.string());
    if (fs::exists(m_destination, error)) {
        if (!fs::is_directory(m_destination, error))
            fail("{}: exists and is not a folder", m_destination.string());
        if (!replace)
            throw OutputFolderExists(fmt::format("{}: the output folder already exists", m_destination.string()));
    }
    if (::access(parent.c_str(), W_OK | X_OK) != 0)
        fail("{}: cannot write into the output folder's parent {}", m_destination.string(), parent.string());
    m_staging = uniqueSibling(m_destination, "tmp");
    if (!fs::create_directory(m_staging, error) || error)
        fail("{}: cannot create the temporary folder {} ({})", m_destination.string(), m_staging.string(),
             error ? error.message() : "it exists");
}

StagingFolder::~StagingFolder()
{
    if (!m_committed) {
        std::error_code ignored;
        fs::remove_all(m_staging, ignored);
    }
}

void StagingFolder::commit()
{
    std::error_code error;
    if (!fs::exists(m_destination, error)) {
        fs::rename(m_staging, m_destination, error);
        if (error)
            fail("{}: cannot move the written folder into place ({})", m_destination.string(), error.message());
        m_committed = true;
        return;
    }
    if (!m_replace)
        fail("{}: the output folder already exists (use --force to replace it)", m_destination.string());
    const fs::path aside = uniqueSibling(m_destination, "old");
    fs::rename(m_destination, aside, error);
    if (error)
        fail("{}: cannot move the existing folder aside ({})", m_destination.string(), error.message());
    fs::rename(m_staging, m_destination, error);
    if (error) {
        std::error_code restoreError;
        fs::rename(aside, m_destination, restoreError);
        fail("{}: cannot move the written folder into place ({})", m_destination.string(), error.message());
    }
    m_committed = true;
    fs::remove_all(aside, error);
    if (error)
        fail("{}: written, but the old folder could not be removed: {} ({})", m_destination.string(),
             aside.string(), error.message());
}

} // namespace spw
