#include "cli/commands.h"

namespace spw::cli {

const std::vector<Command>& allCommands()
{
    static const std::vector<Command> commands = {
<<<<<<< HEAD
        tokenizeCommand(),
=======
        layoutCommand(),
        benchAttentionCommand(),
>>>>>>> h/kernels
    };
    return commands;
}

} // namespace spw::cli
