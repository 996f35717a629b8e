#include "cli/arguments.h"

#include "common/error.h"
#include "common/parse_integer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace spw::cli {

std::string CommandSpec::helpText() const
{
    std::string text
        = fmt::format("usage: sparse-workbench-cli {}{}{}", name, positionalUsage.empty() ? "" : " ", positionalUsage);
    if (!options.empty())
        text += " [options]";
    text += fmt::format("\n\n{}\n", summary);
    if (!options.empty()) {
        text += "\noptions:\n";
        for (const auto& option : options) {
            std::string left = "--" + option.name + (option.valueName.empty() ? "" : " " + option.valueName);
            text += fmt::format("  {:<28} {}{}\n", left, option.help, option.repeatable ? " (repeatable)" : "");
        }
    }
    text += fmt::format("  {:<28} {}\n", "--help", "show this help");
    return text;
}

Arguments Arguments::parse(const CommandSpec& spec, const std::vector<std::string>& args)
{
    Arguments parsed;
    parsed.m_command = spec.name;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            parsed.m_helpRequested = true;
            return parsed;
        }
        if (arg.size() > 2 && arg.rfind("--", 0) == 0) {
            std::string name = arg.substr(2);
            std::optional<std::string> inlineValue;
            if (auto eq = name.find('='); eq != std::string::npos) {
                inlineValue = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            auto option = std::find_if(
                spec.options.begin(), spec.options.end(), [&](const OptionSpec& o) { return o.name == name; });
            if (option == spec.options.end())
                fail("{}: unknown option --{} (see --help)", spec.name, name);
            std::string value;
            if (!option->valueName.empty()) {
                if (inlineValue) {
                    value = *inlineValue;
                } else {
                    if (i + 1 >= args.size())
                        fail("{}: --{} needs a value ({})", spec.name, name, option->valueName);
                    value = args[++i];
                }
            } else if (inlineValue) {
                fail("{}: --{} takes no value", spec.name, name);
            }
            auto& slot = parsed.m_options[name];
            if (!slot.empty() && !option->repeatable)
                fail("{}: --{} given more than once", spec.name, name);
            slot.push_back(value);
            continue;
        }
        parsed.m_positional.push_back(arg);
    }
    if (parsed.m_positional.size() < spec.minPositional)
        fail("{}: missing argument(s): expected {} (see --help)", spec.name, spec.positionalUsage);
    if (parsed.m_positional.size() > spec.maxPositional)
        fail("{}: unexpected argument '{}' (see --help)", spec.name, parsed.m_positional[spec.maxPositional]);
    return parsed;
}

bool Arguments::has(const std::string& name) const
{
    return m_options.count(name) != 0;
}

std::optional<std::string> Arguments::value(const std::string& name) const
{
    auto it = m_options.find(name);
    if (it == m_options.end())
        return std::nullopt;
    return it->second.back();
}

std::vector<std::string> Arguments::values(const std::string& name) const
{
    auto it = m_options.find(name);
    return it == m_options.end() ? std::vector<std::string> {} : it->second;
}

std::string Arguments::required(const std::string& name) const
{
    auto found = value(name);
    if (!found)
        fail("{}: --{} is required", m_command, name);
    return *found;
}

std::optional<std::int64_t> Arguments::integer(const std::string& name, std::int64_t min, std::int64_t max) const
{
    auto text = value(name);
    if (!text)
        return std::nullopt;
    auto parsed = parseInteger(*text);
    if (!parsed)
        fail("{}: --{} must be an integer, got '{}'", m_command, name, *text);
    if (*parsed < min || *parsed > max)
        fail("{}: --{} must be between {} and {}, got {}", m_command, name, min, max, *parsed);
    return parsed;
}

std::optional<double> Arguments::number(const std::string& name) const
{
    auto text = value(name);
    if (!text)
        return std::nullopt;
    errno = 0;
    char* end = nullptr;
    double parsed = std::strtod(text->c_str(), &end);
    if (text->empty() || errno != 0 || end != text->c_str() + text->size())
        fail("{}: --{} must be a number, got '{}'", m_command, name, *text);
    return parsed;
}

std::vector<std::int64_t> Arguments::integerList(const std::string& name, std::int64_t min, std::int64_t max) const
{
    std::vector<std::int64_t> result;
    for (const auto& text : values(name)) {
        std::size_t start = 0;
        while (start <= text.size()) {
            std::size_t comma = text.find(',', start);
            std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            auto parsed = parseInteger(item);
            if (!parsed)
                fail("{}: --{} must be a comma-separated list of integers, got '{}'", m_command, name, text);
            if (*parsed < min || *parsed > max)
                fail("{}: --{}: each value must be between {} and {}, got {}", m_command, name, min, max, *parsed);
            result.push_back(*parsed);
            if (comma == std::string::npos)
                break;
            start = comma + 1;
        }
    }
    return result;
}

std::string Arguments::choice(
    const std::string& name, const std::vector<std::string>& allowed, const std::string& fallback) const
{
    auto text = value(name);
    if (!text)
        return fallback;
    if (std::find(allowed.begin(), allowed.end(), *text) == allowed.end())
        fail("{}: --{} must be one of {}, got '{}'", m_command, name, fmt::join(allowed, "|"), *text);
    return *text;
}

} // namespace spw::cli
