// Whole-file reads (common/file_reading.h): each way a user's file can be wrong is an spw::Error naming the path,
// and through the CLI one line with exit code 2, never a stream exception.
#include "common/error.h"
#include "common/file_reading.h"
#include "common/run_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>

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

TEST_F(FileReading, JsonNestedPastTheBoundIsOneErrorNamingTheFile)
{
    // 100,000 levels in 200 KB: parsed whole, its copy or dump would overflow the stack.
    const std::string deep = write("deep.json", std::string(100000, '[') + std::string(100000, ']'));
    std::string message = errorOf([&] { readJsonFile(deep); });
    EXPECT_EQ(message, deep + ": JSON nested deeper than 64 levels");
    message = errorOf([&] { readOrderedJsonFile(deep); });
    EXPECT_EQ(message, deep + ": JSON nested deeper than 64 levels");

    std::string objects;
    for (int i = 0; i < 5000; ++i)
        objects += "{\"a\":";
    objects += "1" + std::string(5000, '}');
    message = errorOf([&] { readJsonFile(write("objects.json", objects)); });
    EXPECT_NE(message.find("objects.json: JSON nested deeper than 64 levels"), std::string::npos) << message;

    // The bound itself: 64 levels parse, 65 do not.
    EXPECT_EQ(readJsonFile(write("64.json", std::string(64, '[') + std::string(64, ']'))).dump(),
        std::string(64, '[') + std::string(64, ']'));
    EXPECT_FALSE(errorOf([&] { readJsonFile(write("65.json", std::string(65, '[') + std::string(65, ']'))); }).empty());
    EXPECT_EQ(
        errorOf([&] { parseJson(std::string(65, '['), "the text"); }), "the text: JSON nested deeper than 64 levels");
}

TEST_F(FileReading, OnlyRegularFilesAreReadAndAFifoDoesNotBlock)
{
    const std::string fifo = m_dir + "/config.json";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(errorOf([&] { readJsonFile(fifo); }), fifo + ": is a FIFO, not a regular file");

    const std::string zero = m_dir + "/zero.json";
    fs::create_symlink("/dev/zero", zero);
    EXPECT_EQ(errorOf([&] { readWholeFile(zero); }), zero + ": is a device, not a regular file");
}

TEST_F(FileReading, FilesPastTheSizeBoundAreRefused)
{
    const std::string path = write("big.txt", "0123456789");
    EXPECT_EQ(readWholeFile(path, 10), "0123456789");
    EXPECT_EQ(errorOf([&] { readWholeFile(path, 9); }), path + ": larger than the 9 bytes this file may have");

    // The default bound, on a sparse file that takes no disk space.
    const std::string huge = write("huge.json", "");
    fs::resize_file(huge, kLargestTextFile + 1);
    EXPECT_EQ(errorOf([&] { readJsonFile(huge); }), huge + ": larger than the 64 MiB this file may have");
}

// The commands that take a file: a folder in its place used to surface as "basic_filebuf::underflow" and exit 1.
TEST_F(FileReading, CliExitsTwoWhenGivenAFolderForAFile)
{
    const auto layout = test::runCli({ "layout", "--config", m_dir, "--seq-len", "64", "--heads", "1" });
    EXPECT_EQ(layout.exitCode, 2);
    EXPECT_NE(layout.err.find(m_dir + ": is a folder"), std::string::npos) << layout.err;

    const std::string config = write("bsl.json", R"({"mode": "bslongformer", "block": 16})");
    // The report goes elsewhere: inside the --text folder it would be refused for that reason first.
    const std::string reportDir = test::makeTempDir("spw-file-reading-report");
    const auto profile
        = test::runCli({ "profile", "--demo", "--demo-layers", "1", "--demo-hidden", "32", "--demo-heads", "2",
            "--sparsity", config, "--seq-lens", "32", "--text", m_dir, "--json", reportDir + "/out.json" });
    fs::remove_all(reportDir);
    EXPECT_EQ(profile.exitCode, 2);
    EXPECT_NE(profile.err.find("--text " + m_dir + ": is a folder"), std::string::npos) << profile.err;
}

} // namespace
} // namespace spw
