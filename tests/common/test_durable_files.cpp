// writeFileAtomically and temporary siblings: a file is replaced whole or not at all, keeps its permissions, leaves
// no temporary file behind, cleans up after killed writers only; and the exit codes of failures: an input mistake
// exits 2, a write the machine refuses exits 1.
#include "common/child_process.h"
#include "common/durable_files.h"
#include "common/error.h"
#include "common/file_size_limit.h"
#include "common/run_cli.h"
#include "common/temporary_siblings.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

using namespace spw;
namespace fs = std::filesystem;

namespace {

std::string readText(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> namesIn(const fs::path& folder)
{
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

class DurableFiles : public ::testing::Test {
protected:
    void SetUp() override { m_dir = test::makeTempDir("spw-durable"); }
    void TearDown() override { fs::remove_all(m_dir); }
    fs::path m_dir;
};

} // namespace

TEST_F(DurableFiles, WritesAndReplacesWholeKeepingPermissions)
{
    const fs::path path = m_dir / "report.json";
    writeFileAtomically(path, std::string("first"));
    EXPECT_EQ(readText(path), "first");
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    writeFileAtomically(path, [](std::ostream& out) { out << "second, " << std::string(1 << 20, 'x'); });
    EXPECT_EQ(readText(path).size(), 8u + (1u << 20));
    EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(namesIn(m_dir), std::vector<std::string> { "report.json" });
}

TEST_F(DurableFiles, AFailedWriteKeepsTheOldFile)
{
    const fs::path path = m_dir / "out.safetensors";
    writeFileAtomically(path, std::string("old"));
    EXPECT_THROW(writeFileAtomically(path,
                     [](std::ostream& out) {
                         out << "half";
                         throw std::runtime_error("the writer failed");
                     }),
        std::runtime_error);
    EXPECT_EQ(readText(path), "old");
    EXPECT_EQ(namesIn(m_dir), std::vector<std::string> { "out.safetensors" });

    // The disk refusing the write: an environment failure naming the file and the system's reason.
    try {
        test::FileSizeLimit limit(4096);
        writeFileAtomically(path, std::string(1 << 20, 'y'));
        FAIL() << "no error";
    } catch (const EnvironmentError& error) {
        EXPECT_NE(std::string(error.what()).find("out.safetensors: write failed (File too large)"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(readText(path), "old");
    EXPECT_EQ(namesIn(m_dir), std::vector<std::string> { "out.safetensors" });
}

TEST_F(DurableFiles, InputMistakesAndMachineFailuresAreTold)
{
    fs::create_directories(m_dir / "folder");
    try {
        writeFileAtomically(m_dir / "folder", std::string("x"));
        FAIL() << "no error";
    } catch (const EnvironmentError& error) {
        FAIL() << "a folder given for a file is an input mistake: " << error.what();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("is a folder"), std::string::npos) << error.what();
    }
    try {
        writeFileAtomically(m_dir / "missing" / "x.json", std::string("x"));
        FAIL() << "no error";
    } catch (const EnvironmentError& error) {
        FAIL() << "a missing folder is an input mistake: " << error.what();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("does not exist"), std::string::npos) << error.what();
    }
    // No file can be created in /proc, not even by root.
    EXPECT_THROW(writeFileAtomically("/proc/spw-durable-test", std::string("x")), EnvironmentError);
}

TEST_F(DurableFiles, TemporaryFilesOfKilledWritersAreRemovedOthersKept)
{
    const fs::path path = m_dir / "out.json";
    const std::string dead = std::to_string(test::exitedProcessId());
    const std::string alive = std::to_string(::getppid());
    const std::vector<std::string> kept = { ".other.json.tmp-" + dead + "-1a", // another output's
        ".out.json.tmp-" + alive + "-2b", // a writer still running
        ".out.json.tmp-notes", // not one of ours
        ".out.json.tmp-" + dead + "-xyz" }; // not one of ours either
    for (const std::string& name : kept)
        std::ofstream(m_dir / name) << "keep";
    std::ofstream(m_dir / (".out.json.tmp-" + dead + "-3c")) << "abandoned";
    fs::create_directories(m_dir / (".out.json.tmp-" + dead + "-4d") / "inner");
    EXPECT_EQ(abandonedSiblings(path, "tmp").size(), 2u);

    writeFileAtomically(path, std::string("new"));
    std::vector<std::string> expected = kept;
    expected.push_back("out.json");
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(namesIn(m_dir), expected);
}

TEST_F(DurableFiles, SiblingNamesCarryTheProcessAndDiffer)
{
    const fs::path a = newTemporarySibling(m_dir / "model", "tmp");
    const fs::path b = newTemporarySibling(m_dir / "model", "tmp");
    EXPECT_NE(a, b);
    EXPECT_EQ(a.parent_path(), m_dir);
    EXPECT_EQ(a.filename().string().rfind(".model.tmp-" + std::to_string(::getpid()) + "-", 0), 0u) << a;
    fs::create_directories(a);
    EXPECT_TRUE(abandonedSiblings(m_dir / "model", "tmp").empty()); // this process runs
}

// Exit codes (README): 2 for a mistake in an input, 1 when the machine fails a correct command.
TEST_F(DurableFiles, CliExitsOneWhenTheMachineFailsAWrite)
{
    const std::string model = std::string(SPW_FIXTURES_DIR) + "/models/bert_mlm";
    const std::string output = (m_dir / "out.safetensors").string();
    test::CliResult result;
    {
        test::FileSizeLimit limit(1024);
        result = test::runCli({ "run", model, "--inputs", model + "/inputs.safetensors", "--output", output });
    }
    EXPECT_EQ(result.exitCode, 1) << result.err;
    EXPECT_NE(result.err.find("out.safetensors: write failed"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_TRUE(namesIn(m_dir).empty());

    result = test::runCli({ "run", model, "--inputs", model + "/inputs.safetensors", "--output",
        (m_dir / "missing" / "out.safetensors").string() });
    EXPECT_EQ(result.exitCode, 2) << result.err;
    EXPECT_NE(result.err.find("does not exist"), std::string::npos) << result.err;
}
