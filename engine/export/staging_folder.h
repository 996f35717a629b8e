#pragma once
// Writing a folder all at once: files go into a hidden temporary sibling of the destination
// (engine/common/temporary_siblings.h), which is flushed to the disk and renamed into place only when everything is
// written. Destroyed without commit() (an error, a cancel), the temporary folder is removed, so a failed export
// leaves nothing behind.
//
// Replacing an existing destination (`replace`): on Linux the two folders swap names in one atomic step
// (renameat2 RENAME_EXCHANGE) and the old one, now under the temporary name, is deleted. Where the file system
// cannot swap, the old folder is renamed aside (".NAME.old-PID-..."), the new one renamed in, then the old one
// deleted; if the second rename fails the old folder is put back. Either way a reader sees the old folder or the
// new one.
//
// A process killed part-way (kill -9, a power cut) leaves its temporary siblings behind. The next StagingFolder for
// the same destination tidies up after it: an old folder moved aside is put back if the destination is missing
// (the kill fell between the two renames), and the rest is deleted.
//
// Only an empty folder or a model folder (config.json and files, no subfolders) is ever replaced: `--out .` run
// from one's home folder must not delete it (checkReplaceableFolder).
#include "common/error.h"

#include <filesystem>

namespace spw {

// The destination exists and replacing it was not asked for: callers word the way out (the CLI's --force, the GUI's
// confirmation).
class OutputFolderExists : public Error {
public:
    using Error::Error;
};

// spw::Error naming what `folder` holds unless it is empty or a model folder: config.json at its top and no
// subfolders (an export writes only files). Callers check before asking the user whether to replace it.
void checkReplaceableFolder(const std::filesystem::path& folder);

class StagingFolder {
public:
    // Throws spw::Error when the destination's parent folder does not exist, when the destination is a file, or a
    // folder that checkReplaceableFolder refuses; OutputFolderExists when it is a folder that could be replaced but
    // !replace; spw::EnvironmentError when the parent is not writable or the temporary folder cannot be made.
    StagingFolder(const std::filesystem::path& destination, bool replace);
    ~StagingFolder();
    StagingFolder(const StagingFolder&) = delete;
    StagingFolder& operator=(const StagingFolder&) = delete;

    // Where to write the files.
    const std::filesystem::path& path() const { return m_staging; }
    const std::filesystem::path& destination() const { return m_destination; }
    // Flushes the written files to the disk and moves the folder into place. Throws spw::EnvironmentError on failure
    // (the staging folder is then removed, an existing destination kept).
    void commit();

private:
    std::filesystem::path m_destination;
    std::filesystem::path m_staging;
    bool m_replace = false;
    bool m_committed = false;
};

} // namespace spw
