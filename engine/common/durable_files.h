#pragma once
// Writing outputs so that a crash, a kill or a full disk never leaves a half-written file where a complete one was
// expected, and never destroys the previous file: the content goes to a temporary sibling in the same folder
// (engine/common/temporary_siblings.h), is flushed to the disk (fsync), and is renamed over the destination, which
// POSIX makes atomic within one file system; the folder is then flushed so that the rename itself survives a power
// loss. A reader sees the old file or the new one, never a mix. Every file the CLI or the GUI writes goes through
// writeFileAtomically; folders are staged whole by engine/export/staging_folder.h.
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>

namespace spw {

// Writes `path` with what `write` puts into the stream. An existing file is replaced (keeping its permission bits);
// temporary siblings left by killed writers of the same path are removed first. Throws spw::Error when `path` is a
// folder or its folder does not exist, spw::EnvironmentError when the machine fails the write (no permission, no
// space, an I/O error), naming the path and the system's reason; whatever `write` throws is passed on. On any
// failure the destination is left as it was and the temporary file is removed.
void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);
void writeFileAtomically(const std::filesystem::path& path, const std::string& content);

// Flushes a file's or a folder's content to the disk (fsync). spw::EnvironmentError naming the path on failure; a
// file system that cannot flush folders (EINVAL) is not an error.
void syncToDisk(const std::filesystem::path& path);

} // namespace spw
