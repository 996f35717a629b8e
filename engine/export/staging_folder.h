#pragma once
// Writing a folder all at once: files go into a hidden temporary sibling of the destination, which is renamed into
// place only when everything is written. Destroyed without commit() (an error, a cancel), the temporary folder is
// removed, so a failed export leaves nothing behind.
//
// Replacing an existing destination (`replace`): the old folder is renamed aside, the new one renamed in, then the
// old one deleted; if the second rename fails the old folder is put back. Renames within one parent folder are
// atomic on POSIX file systems, so a reader sees either the old folder or the new one.
#include "common/error.h"

#include <filesystem>

namespace spw {

// The destination exists and replacing it was not asked for: callers word the way out (the CLI's --force, the GUI's
// confirmation).
class OutputFolderExists : public Error {
public:
    using Error::Error;
};

class StagingFolder {
public:
    // Throws OutputFolderExists when `destination` exists and !replace; spw::Error when its parent folder does not
    // exist or is not writable, or when `destination` is an existing file rather than a folder.
    StagingFolder(const std::filesystem::path& destination, bool replace);
    ~StagingFolder();
    StagingFolder(const StagingFolder&) = delete;
    StagingFolder& operator=(const StagingFolder&) = delete;

    // Where to write the files.
    const std::filesystem::path& path() const { return m_staging; }
    const std::filesystem::path& destination() const { return m_destination; }
    // Moves the written folder into place. Throws spw::Error on failure (the staging folder is then removed).
    void commit();

private:
    std::filesystem::path m_destination;
    std::filesystem::path m_staging;
    bool m_replace = false;
    bool m_committed = false;
};

} // namespace spw
