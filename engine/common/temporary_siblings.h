#pragma once
// Temporary siblings of an output: the engine writes a file or folder under a hidden name beside it and renames it
// into place when complete (engine/common/durable_files.h, engine/export/staging_folder.h). The name is
//     .NAME.KIND-PID-RANDOM        e.g. ".bert-long.tmp-4211-3fa9c0d2e1b7a655"
// NAME is the output's file name, KIND says what the sibling holds ("tmp": being written; "old": a replaced folder
// moved aside for a moment), PID is the process that made it and RANDOM keeps two writers apart. A sibling whose
// process is gone was abandoned (the process was killed, or the machine went down): the next write of the same
// output cleans it up. Process ids are this machine's: a folder shared over the network with another machine that
// writes the same output at the same moment could have that machine's siblings taken for abandoned.
#include <filesystem>
#include <string>
#include <vector>

namespace spw {

// A sibling name of `destination` for this process that nothing uses yet (not created).
std::filesystem::path newTemporarySibling(const std::filesystem::path& destination, const std::string& kind);

// The siblings of `destination` of this kind whose process no longer runs, in name order. Never this process's own,
// nor one whose process runs under another user (it exists even if we may not signal it).
std::vector<std::filesystem::path> abandonedSiblings(const std::filesystem::path& destination, const std::string& kind);

} // namespace spw
