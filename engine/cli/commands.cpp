#include "cli/commands.h"

namespace spw::cli {

const std::vector<Command>& allCommands()
{
    static const std::vector<Command> commands = {
        inspectCommand(),
        runCommand(),
        createCommand(),
        layoutCommand(),
        tokenizeCommand(),
        benchAttentionCommand(),
        convertCommand(),
    };
    return commands;
}

} // namespace spw::cli
