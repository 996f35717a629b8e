#pragma once
// One function per subcommand, each defined in its own file (layout_command.cpp, ...).
#include "cli/cli_layer.h"
#include "cli/command_line.h"

namespace spw::cli {

Command layoutCommand();
Command benchAttentionCommand();
Command tokenizeCommand();
Command createCommand();
Command inspectCommand();
Command runCommand();
Command profileCommand();
Command convertCommand();
Command evaluateCommand();

} // namespace spw::cli
