// sparse-workbench-cli: the Qt-free command line. All logic lives in spw_cli (engine/cli) over the engine.
#include "cli/command_line.h"

#include <iostream>

int main(int argc, char** argv)
{
    return spw::cli::runCommandLine({ argv + 1, argv + argc }, std::cout, std::cerr);
}
