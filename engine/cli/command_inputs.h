#pragma once
// Flags that several subcommands read the same way: --sparsity files named by their stems, --device/--dtype, and
// report files kept outside what the command reads.
#include "cli/arguments.h"
#include "cli/cli_layer.h"
#include "model/encoder_model.h"
#include "profile/profile_types.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace spw::cli {

// Each --sparsity file, named by its stem (made unique with a suffix when two files share one, or when a stem is one
// of `reserved`).
std::vector<ProfileLayout> readLayouts(
    const std::vector<std::string>& paths, const std::vector<std::string>& reserved = {});

// --device cpu|cuda and --dtype float32|float16|bfloat16. No CUDA: spw::EnvironmentError naming --device. A half
// dtype on the CPU is noted on `err` (the CPU computes in float32). `command` starts the messages.
LoadOptions deviceOptions(const Arguments& args, const std::string& command, std::ostream& err);

// spw::Error when a report path (`flag` → path) is the model folder DIR (the first positional argument), a
// --sparsity file, the --text or the --quality-text path, or lies inside one of them: a report replaces what is at its
// path.
void checkReportsOutsideInputs(const Arguments& args, const std::vector<std::pair<std::string, std::string>>& reports);

} // namespace spw::cli
