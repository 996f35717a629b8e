#pragma once
// Where a command may write: never into what it reads. Paths are compared after resolving them (absolute, ".." and
// symlinks followed as far as they exist), so "SRC/../SRC/x" or a symlink into SRC is caught as well as "SRC/x".
#include <filesystem>
#include <string>

namespace spw {

// The absolute path with its existing part resolved through symlinks and no trailing separator. spw::Error naming
// the path when it cannot be resolved.
std::filesystem::path resolvedPath(const std::filesystem::path& path);

// Whether `inner` is `outer` or lies inside it; both resolved.
bool isSameOrWithin(const std::filesystem::path& inner, const std::filesystem::path& outer);

// spw::Error when the output `output` (given by `flag`) is the input `input` (a file or a folder the command reads)
// or lies inside it, naming both: "--output SRC/model.safetensors: lies inside the model folder SRC, which this
// command reads; write it elsewhere". `inputRole` says what the input is ("the model folder", "the --inputs file").
void checkOutputOutside(
    const std::string& output, const std::string& flag, const std::string& input, const std::string& inputRole);

} // namespace spw
