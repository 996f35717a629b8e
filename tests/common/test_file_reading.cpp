// Whole-file reads (common/file_reading.h): each way a user's file can be wrong is an spw::Error naming the path,
// and through the CLI one line with exit code 2, never a stream exception.
#include "common/error.h"
#include "common/file_reading.h"
#include "common/run_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace spw {
namespace {

namespace fs = std::filesystem;

class FileReading : public ::testing::Test {
protected:
    void SetUp() override { m_dir = test::makeTempDir("spw-file-reading"); }
    void TearDown() override { fs::remove_all(m_dir); }

    std::string write(const std::string& name, const std::string& content)
    {
        const std::string path = (fs::path(m_dir) / name).string();
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }
    template <typename Read> static std::string errorOf(Read read)
    {
        try {
            read();
        } catch (const Error& e) {
            return e.what();
        }
        return {};
    }

    std::string m_dir;
};

TEST_F(FileReading, ReadsEveryByte)
{
    const std::string bytes("a\0b\r\n\xff", 6);
    EXPECT_EQ(readWholeFile(write("bytes.bin", bytes)), bytes);
    EXPECT_EQ(readWholeFile(write("empty.txt", "")), "");
}

TEST_F(FileReading, ParsesJsonAndKeepsTheKeyOrderWhenAsked)
{
    const std::string path = write("c.json", R"({"zeta": 1, "alpha": [true, null]})");
    EXPECT_EQ(readJsonFile(path)["alpha"][0], true);
    EXPECT_EQ(readOrderedJsonFile(path).begin().key(), "zeta");
}

TEST_F(FileReading, MissingFileFolderAndBrokenJsonNameThePath)
{
    const std::string missing = m_dir + "/missing.json";
    std::string message = errorOf([&] { readWholeFile(missing); });
    EXPECT_EQ(message.rfind(missing + ": cannot open", 0), 0u) << message;

    message = errorOf([&] { readJsonFile(m_dir); });
    EXPECT_EQ(message, m_dir + ": is a folder, not a file");

    const std::string broken = write("broken.json", "{\"a\": [1,");
    message = errorOf([&] { readJsonFile(broken); });
    EXPECT_EQ(message.rfind(broken + ": not valid JSON", 0), 0u) << message;
    message = errorOf([&] { readOrderedJsonFile(broken); });
    EXPECT_EQ(message.rfind(broken + ": not valid JSON", 0), 0u) << message;
}

// The commands that take a file: a folder in its place used to surface as "basic_filebuf::underflow" and exit 1.
TEST_F(FileReading, CliExitsTwoWhenGivenAFolderForAFile)
{
    const auto layout = test::runCli({ "layout", "--config", m_dir, "--seq-len", "64", "--heads", "1" });
    EXPECT_EQ(layout.exitCode, 2);
    EXPECT_NE(layout.err.find(m_dir + ": is a folder"), std::string::npos) << layout.err;

    const std::string config = write("bsl.json", R"({"mode": "bslongformer", "block": 16})");
    const auto profile
        = test::runCli({ "profile", "--demo", "--demo-layers", "1", "--demo-hidden", "32", "--demo-heads", "2",
            "--sparsity", config, "--seq-lens", "32", "--text", m_dir, "--json", m_dir + "/out.json" });
    EXPECT_EQ(profile.exitCode, 2);
    EXPECT_NE(profile.err.find("--text " + m_dir + ": is a folder"), std::string::npos) << profile.err;
}

} // namespace
} // namespace spw
