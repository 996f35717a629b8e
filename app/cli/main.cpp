// sparse-workbench-cli: the Qt-free command line. All logic lives in the engine (engine/cli).
#include "cli/command_line.h"

#include <iostream>

int main(int argc, char** argv)
{
    return spw::cli::runCommandLine({argv + 1, argv + argc}, std::cout, std::cerr);
}
