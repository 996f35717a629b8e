#include "cli/commands.h"

namespace spw::cli {

const std::vector<Command>& allCommands()
{
    static const std::vector<Command> commands = {
        layoutCommand(),
        tokenizeCommand(),
        inspectCommand(),
        runCommand(),
        createCommand(),
        profileCommand(),
        benchAttentionCommand(),
        convertCommand(),
        evaluateCommand(),
    };
    return commands;
}

} // namespace spw::cli
