#pragma once
// Command-line parsing for sparse-workbench-cli's subcommands: `--name value` options, `--flag` switches and
// positional arguments, each checked against the subcommand's specification. Every mistake throws spw::Error with
// a one-line message naming the flag, which the CLI prints with exit code 2.
#include "cli/cli_layer.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spw::cli {

struct OptionSpec {
    std::string name; // without the leading dashes
    std::string valueName; // empty for a switch that takes no value
    std::string help;
    bool repeatable = false;
};

struct CommandSpec {
    std::string name;
    std::string summary;
    std::string positionalUsage; // e.g. "DIR TEXT"; empty when none
    std::size_t minPositional = 0;
    std::size_t maxPositional = 0;
    std::vector<OptionSpec> options;

    std::string helpText() const;
};

class Arguments {
public:
    static Arguments parse(const CommandSpec& spec, const std::vector<std::string>& args);

    bool helpRequested() const { return m_helpRequested; }
    bool has(const std::string& name) const;
    std::optional<std::string> value(const std::string& name) const;
    std::vector<std::string> values(const std::string& name) const;
    std::string required(const std::string& name) const;

    // Typed accessors: a value that does not parse or is out of range throws spw::Error naming the flag.
    std::optional<std::int64_t> integer(const std::string& name, std::int64_t min, std::int64_t max) const;
    std::optional<double> number(const std::string& name) const;
    std::vector<std::int64_t> integerList(const std::string& name, std::int64_t min, std::int64_t max) const;
    std::string choice(
        const std::string& name, const std::vector<std::string>& allowed, const std::string& fallback) const;

    const std::vector<std::string>& positional() const { return m_positional; }

private:
    std::string m_command;
    bool m_helpRequested = false;
    std::vector<std::string> m_positional;
    std::map<std::string, std::vector<std::string>> m_options;
};

} // namespace spw::cli
