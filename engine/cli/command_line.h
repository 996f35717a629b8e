#pragma once
// sparse-workbench-cli: dispatches a subcommand and turns failures into exit codes (design.md §6):
// 0 success, 2 bad input or usage (spw::Error, one line on stderr), 1 any other failure (spw::EnvironmentError: a
// failed write, no CUDA device, a CUDA error; a cancel; anything unexpected), also one line on stderr.
#include "cli/arguments.h"
#include "cli/cli_layer.h"

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace spw::cli {

using CommandHandler = std::function<int(const Arguments& args, std::ostream& out, std::ostream& err)>;

struct Command {
    CommandSpec spec;
    CommandHandler run;
};

// Every subcommand, in the order `--help` lists them (commands.cpp).
const std::vector<Command>& allCommands();

int runCommandLine(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace spw::cli
