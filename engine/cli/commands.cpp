#include "cli/commands.h"

namespace spw::cli {

const std::vector<Command>& allCommands()
{
    static const std::vector<Command> commands = {
        convertCommand(),
        createCommand(),
        inspectCommand(),
        layoutCommand(),
        profileCommand(),
        runCommand(),
        tokenizeCommand(),
    };
    return commands;
}

} // namespace spw::cli
