#include "export/staging_folder.h"

#include "common/durable_files.h"
#include "common/temporary_siblings.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace spw {
namespace fs = std::filesystem;
namespace {

// "a, b, c, d, e and 12 more": enough of a listing to recognise the folder by.
std::string someNames(std::vector<std::string> names)
{
    constexpr std::size_t kShown = 5;
    std::sort(names.begin(), names.end());
    const std::size_t shown = std::min(names.size(), kShown);
    std::string text = fmt::format("{}", fmt::join(names.begin(), names.begin() + std::ptrdiff_t(shown), ", "));
    if (names.size() > shown)
        text += fmt::format(" and {} more", names.size() - shown);
    return text;
}

// Tidies up after a process killed while writing this destination: an old folder it had moved aside goes back when
// the destination is missing (the kill fell between the two renames of a replacement), every other leftover is
// deleted. Best effort: what cannot be tidied now is tried again next time.
void tidyAbandonedSiblings(const fs::path& destination)
{
    std::error_code error;
    for (const fs::path& old : abandonedSiblings(destination, "old")) {
        if (!fs::exists(fs::symlink_status(destination, error)))
            fs::rename(old, destination, error);
        else
            fs::remove_all(old, error);
    }
    for (const fs::path& staging : abandonedSiblings(destination, "tmp"))
        fs::remove_all(staging, error);
}

// Every file and folder below `folder`, then `folder` itself, flushed to the disk: a rename is only as durable as
// the content it makes visible.
void syncFolderToDisk(const fs::path& folder)
{
    std::error_code error;
    for (fs::recursive_directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        const fs::file_type type = it->symlink_status(error).type();
        if (type == fs::file_type::regular || type == fs::file_type::directory)
            syncToDisk(it->path());
    }
    if (error)
        failEnvironment("{}: cannot list the written files ({})", folder.string(), error.message());
    syncToDisk(folder);
}

// Swaps two folders' names in one step. False where the kernel or the file system cannot.
bool exchangeFolders(const fs::path& first, const fs::path& second)
{
#ifdef RENAME_EXCHANGE
    return ::renameat2(AT_FDCWD, first.c_str(), AT_FDCWD, second.c_str(), RENAME_EXCHANGE) == 0;
#else
    (void)first;
    (void)second;
    return false;
#endif
}

} // namespace

void checkReplaceableFolder(const fs::path& folder)
{
    std::vector<std::string> names;
    std::vector<std::string> subfolders;
    std::error_code error;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        names.push_back(it->path().filename().string());
        std::error_code typeError;
        if (it->symlink_status(typeError).type() == fs::file_type::directory)
            subfolders.push_back(names.back());
    }
    if (error)
        fail("{}: cannot list what the folder holds ({})", folder.string(), error.message());
    if (names.empty())
        return;
    if (std::find(names.begin(), names.end(), "config.json") == names.end())
        fail("{}: is not a model folder (no config.json) and holds {}; only an empty folder or a model folder is "
             "ever replaced",
            folder.string(), someNames(names));
    if (!subfolders.empty())
        fail("{}: holds the subfolder(s) {}, which an export would delete; only an empty folder or a model folder of "
             "files is ever replaced",
            folder.string(), someNames(subfolders));
}

StagingFolder::StagingFolder(const fs::path& destination, bool replace)
    : m_destination(fs::absolute(destination).lexically_normal())
    , m_replace(replace)
{
    if (m_destination.filename().empty()) // "out/" normalises to "out/" with an empty file name
        m_destination = m_destination.parent_path();
    const fs::path parent = m_destination.parent_path();
    std::error_code error;
    if (!fs::is_directory(parent, error))
        fail("{}: the output folder's parent {} does not exist", m_destination.string(), parent.string());
    tidyAbandonedSiblings(m_destination);
    if (fs::exists(m_destination, error)) {
        if (!fs::is_directory(m_destination, error))
            fail("{}: exists and is not a folder", m_destination.string());
        checkReplaceableFolder(m_destination);
        if (!replace)
            throw OutputFolderExists(fmt::format("{}: the output folder already exists", m_destination.string()));
    }
    if (::access(parent.c_str(), W_OK | X_OK) != 0)
        failEnvironment("{}: cannot write into the output folder's parent {} ({})", m_destination.string(),
            parent.string(), std::strerror(errno));
    m_staging = newTemporarySibling(m_destination, "tmp");
    if (!fs::create_directory(m_staging, error) || error)
        failEnvironment("{}: cannot create the temporary folder {} ({})", m_destination.string(), m_staging.string(),
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
    syncFolderToDisk(m_staging);
    const fs::path parent = m_destination.parent_path();
    std::error_code error;
    if (!fs::exists(fs::symlink_status(m_destination, error))) {
        fs::rename(m_staging, m_destination, error);
        if (error)
            failEnvironment(
                "{}: cannot move the written folder into place ({})", m_destination.string(), error.message());
        m_committed = true;
        syncToDisk(parent);
        return;
    }
    if (!m_replace)
        fail("{}: the output folder already exists (use --force to replace it)", m_destination.string());
    checkReplaceableFolder(m_destination); // again: it may have changed while the export ran

    fs::path old = m_staging; // after the exchange, the staging name holds the old folder
    if (!exchangeFolders(m_staging, m_destination)) {
        old = newTemporarySibling(m_destination, "old");
        fs::rename(m_destination, old, error);
        if (error)
            failEnvironment("{}: cannot move the existing folder aside ({})", m_destination.string(), error.message());
        fs::rename(m_staging, m_destination, error);
        if (error) {
            std::error_code restoreError;
            fs::rename(old, m_destination, restoreError);
            failEnvironment(
                "{}: cannot move the written folder into place ({})", m_destination.string(), error.message());
        }
    }
    m_committed = true;
    syncToDisk(parent);
    fs::remove_all(old, error);
    if (error)
        failEnvironment("{}: written, but the old folder could not be removed: {} ({})", m_destination.string(),
            old.string(), error.message());
}

} // namespace spw
