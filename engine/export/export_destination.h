#pragma once
// Where an export may go, checked before anything is converted or written (exportModel checks again): never the
// source folder, a folder inside it, or a folder containing it, since export never modifies the source. Kept apart
// from export_model.h so that a folder chooser can ask without LibTorch headers.
#include <string>

namespace spw {

// Throws spw::Error naming `outDirectory` (and the source) when it is empty, the source folder, inside it or
// contains it; `sourceDirectory` empty checks only the first. The source folder must exist.
void checkExportDestination(const std::string& sourceDirectory, const std::string& outDirectory);

} // namespace spw
