#pragma once
// One function per subcommand, each defined in its own file (layout_command.cpp, ...).
#include "cli/command_line.h"

namespace spw::cli {

Command convertCommand();
Command createCommand();
Command inspectCommand();
Command layoutCommand();
Command profileCommand();
Command runCommand();
Command tokenizeCommand();

} // namespace spw::cli
