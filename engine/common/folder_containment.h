#pragma once
// Files found in a model folder are read, mapped or copied only when they lie inside that folder once symbolic links
// are followed. A cloned folder is untrusted: a link such as notes.txt -> /etc/shadow must not carry a file from
// elsewhere into an export, and config.json -> /proc/... must not be read. Links that stay inside are fine.
// A HuggingFace cache snapshot (.../models--NAME/snapshots/REVISION/) links every file to ../../blobs/HASH, the same
// repository's store: those are inside too, so a snapshot path from the cache loads as it is.
#include <filesystem>

namespace spw {

// Whether `path` (a file in `folder`, a link or missing) resolves to a place inside `folder`.
bool resolvesInsideFolder(const std::filesystem::path& folder, const std::filesystem::path& path);

// Throws spw::Error "<path>: leads outside the model folder <folder> (to <target>)" unless it resolves inside.
void requireInsideFolder(const std::filesystem::path& folder, const std::filesystem::path& path);

} // namespace spw
