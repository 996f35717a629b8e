#include "cli/arguments.h"
#include "common/error.h"
#include "common/run_cli.h"

#include <gtest/gtest.h>

using spw::cli::Arguments;
using spw::cli::CommandSpec;

namespace {

CommandSpec exampleSpec()
{
    return { "example", "An example.", "DIR", 1, 1,
        { { "seq-len", "L", "sequence length" }, { "force", "", "overwrite" }, { "layers", "LIST", "layers", true } } };
}

} // namespace

TEST(Arguments, ParsesOptionsSwitchesAndPositionals)
{
    auto args
        = Arguments::parse(exampleSpec(), { "model", "--seq-len", "512", "--force", "--layers=0,2", "--layers", "5" });
    EXPECT_EQ(args.positional(), std::vector<std::string> { "model" });
    EXPECT_EQ(args.integer("seq-len", 1, 1 << 20), 512);
    EXPECT_TRUE(args.has("force"));
    EXPECT_EQ(args.integerList("layers", 0, 100), (std::vector<std::int64_t> { 0, 2, 5 }));
}

TEST(Arguments, RejectsMistakesNamingTheFlag)
{
    auto expectError = [](std::vector<std::string> argv, const std::string& fragment) {
        try {
            auto args = Arguments::parse(exampleSpec(), argv);
            args.integer("seq-len", 1, 1000);
            args.integerList("layers", 0, 10);
            FAIL() << "no error for " << fragment;
        } catch (const spw::Error& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    expectError({ "m", "--bogus" }, "--bogus");
    expectError({ "m", "--seq-len" }, "--seq-len needs a value");
    expectError({ "m", "--seq-len", "12x" }, "--seq-len must be an integer");
    expectError({ "m", "--seq-len", "0" }, "between 1 and 1000");
    expectError({ "m", "--layers", "1,,2" }, "--layers");
    expectError({ "m", "--force=yes" }, "takes no value");
    expectError({}, "missing argument");
    expectError({ "m", "n" }, "unexpected argument 'n'");
    expectError({ "m", "--seq-len", "3", "--seq-len", "4" }, "more than once");
}

TEST(CommandLine, UnknownCommandAndHelp)
{
    auto unknown = spw::test::runCli({ "frobnicate" });
    EXPECT_EQ(unknown.exitCode, 2);
    EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos);
    auto help = spw::test::runCli({ "--help" });
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.out.find("commands:"), std::string::npos);
    EXPECT_NE(help.out.find("layout"), std::string::npos);
}
