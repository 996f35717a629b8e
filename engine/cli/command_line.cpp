#include "cli/command_line.h"

#include "common/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

namespace spw::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

std::string firstLine(const std::string& text)
{
    auto end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

void printOverview(std::ostream& out)
{
    out << "usage: sparse-workbench-cli COMMAND [arguments] [--help]\n\n"
           "Block-sparse attention for BERT and RoBERTa encoders, without the GUI.\n\ncommands:\n";
    for (const auto& command : allCommands())
        out << fmt::format("  {:<16} {}\n", command.spec.name, command.spec.summary);
}

} // namespace

int runCommandLine(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    if (args.empty()) {
        printOverview(err);
        return kExitBadInput;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printOverview(out);
        return kExitOk;
    }
    const auto& commands = allCommands();
    auto command
        = std::find_if(commands.begin(), commands.end(), [&](const Command& c) { return c.spec.name == args[0]; });
    if (command == commands.end()) {
        err << fmt::format("sparse-workbench-cli: unknown command '{}' (see --help)\n", args[0]);
        return kExitBadInput;
    }
    try {
        Arguments parsed = Arguments::parse(command->spec, { args.begin() + 1, args.end() });
        if (parsed.helpRequested()) {
            out << command->spec.helpText();
            return kExitOk;
        }
        return command->run(parsed, out, err);
    } catch (const EnvironmentError& e) {
        err << "error: " << firstLine(e.what()) << '\n';
        return kExitFailure;
    } catch (const Error& e) {
        err << "error: " << firstLine(e.what()) << '\n';
        return kExitBadInput;
    } catch (const Cancelled&) {
        err << "error: cancelled\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        err << "error: " << firstLine(e.what()) << '\n';
        return kExitFailure;
    }
}

} // namespace spw::cli
