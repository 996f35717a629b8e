#pragma once
// Helpers for the hostile-input tests (issue 14): a model folder made from the committed fixtures, JSON nested
// past the reader's bound, and the check every refused input must pass through the CLI.
#include "common/run_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace spw::test {

// An array nested `depth` deep: 100,000 levels are 200 KB.
inline std::string deepJson(int depth)
{
    return std::string(std::size_t(depth), '[') + std::string(std::size_t(depth), ']');
}

inline void writeFile(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

// Exit code 2, nothing on stdout, and one line on stderr that holds `named` (the input at fault).
inline void expectInputError(const CliResult& result, const std::string& named)
{
    EXPECT_EQ(result.exitCode, 2) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "not one line: " << result.err;
    EXPECT_NE(result.err.find(named), std::string::npos) << result.err;
}

} // namespace spw::test
