// `convert` as a real process, interrupted part-way: SIGINT and SIGTERM cancel the export, which removes its
// temporary folder and keeps an existing output as it was; the process then ends by that signal. kill -9 cannot be
// handled: the next export to the same output removes what it left. Either way the output is afterwards the old
// folder or the new complete one, never a mix, never missing.
#include "common/child_process.h"
#include "common/run_cli.h"
#include "convert/sparse_attention_record.h"
#include "export/export_test_support.h"
#include "model/encoder_model.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>

using namespace spw;
namespace fs = std::filesystem;

namespace {

class ExportSignals : public ::testing::Test {
protected:
    // A source big enough (about 45 MB of weights) that an export takes a moment to write and flush.
    static void SetUpTestSuite()
    {
        s_work = test::makeTempDir("spw-export-signals");
        s_source = s_work / "source";
        const test::CliResult created = test::runCli({ "create", "--out", s_source.string(), "--hidden", "256",
            "--heads", "4", "--layers", "4", "--intermediate", "1024", "--max-position", "128" });
        ASSERT_EQ(created.exitCode, 0) << created.err;
        s_reference = s_work / "reference";
        ASSERT_EQ(test::runCli(convertArgs(s_reference, false)).exitCode, 0);
        s_referenceFiles = test::listNames(s_reference);
    }
    static void TearDownTestSuite() { fs::remove_all(s_work); }

    void SetUp() override
    {
        m_parent = test::makeTempDir("spw-export-signals-out");
        m_out = m_parent / "out";
    }
    void TearDown() override
    {
        fs::remove_all(m_parent);
        fs::remove(logPath("out"));
        fs::remove(logPath("err"));
    }

    static std::vector<std::string> convertArgs(const fs::path& out, bool force)
    {
        std::vector<std::string> args
            = { "convert", s_source.string(), "--out", out.string(), "--max-position", "256" };
        if (force)
            args.push_back("--force");
        return args;
    }

    // Whether a temporary sibling of the output is there.
    bool stagingExists() const
    {
        for (const auto& entry : fs::directory_iterator(m_parent))
            if (entry.path().filename().string().rfind(".out.", 0) == 0)
                return true;
        return false;
    }

    // Starts the export, sends `signal` once its temporary folder appears; returns the wait status.
    int exportAndSignal(int signal, bool force)
    {
        const pid_t child = test::startCli(convertArgs(m_out, force), logPath("out"), logPath("err"));
        int status = 0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (!stagingExists()) {
            if (test::childEnded(child, status))
                return status; // finished before the folder was seen
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(child, SIGKILL);
                test::waitForChild(child);
                ADD_FAILURE() << "the export never created its temporary folder";
                return status;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        ::kill(child, signal);
        return test::waitForChild(child);
    }

    // The child's stdout and stderr, beside the output's folder.
    std::string logPath(const std::string& stream) const { return m_parent.string() + "." + stream; }

    // The output is the new, complete export (all files, loadable).
    void expectCompleteExport() const
    {
        ASSERT_EQ(test::listNames(m_out), s_referenceFiles);
        EXPECT_EQ(test::fingerprint(m_out), test::fingerprint(s_reference));
        EXPECT_EQ(loadForRun(m_out.string())->config().maxPositionEmbeddings, 256);
    }

    static inline fs::path s_work;
    static inline fs::path s_source;
    static inline fs::path s_reference;
    static inline std::vector<std::string> s_referenceFiles;
    fs::path m_parent;
    fs::path m_out;
};

} // namespace

TEST_F(ExportSignals, InterruptsCancelAndRemoveTheTemporaryFolder)
{
    int interrupted = 0;
    for (int signal : { SIGTERM, SIGINT }) {
        for (bool existing : { false, true }) {
            fs::remove_all(m_out);
            if (existing) {
                fs::create_directories(m_out);
                std::ofstream(m_out / "config.json") << "{\"old\": true}";
            }
            const auto before = existing ? test::fingerprint(m_out) : std::map<std::string, std::string> {};
            const int status = exportAndSignal(signal, existing);
            EXPECT_FALSE(stagingExists()) << "signal " << signal << ", existing " << existing;
            if (WIFSIGNALED(status)) {
                EXPECT_EQ(WTERMSIG(status), signal);
                ++interrupted;
                const std::string err = test::readText(logPath("err"));
                EXPECT_NE(err.find(signal == SIGINT ? "stopped by SIGINT" : "stopped by SIGTERM"), std::string::npos)
                    << err;
                if (existing)
                    EXPECT_EQ(test::fingerprint(m_out), before);
                else
                    EXPECT_FALSE(fs::exists(m_out));
            } else {
                // The signal came after the point of no return: the export completed.
                ASSERT_TRUE(WIFEXITED(status));
                EXPECT_EQ(WEXITSTATUS(status), 0) << test::readText(logPath("err"));
                expectCompleteExport();
            }
        }
    }
    // The signals were sent as soon as the temporary folder appeared, long before the weights were written.
    EXPECT_GT(interrupted, 0) << "no export was interrupted: the test did not test anything";
}

TEST_F(ExportSignals, WhatAKillLeavesIsTidiedByTheNextExport)
{
    for (bool existing : { false, true }) {
        fs::remove_all(m_out);
        if (existing) {
            fs::create_directories(m_out);
            std::ofstream(m_out / "config.json") << "{\"old\": true}";
        }
        const int status = exportAndSignal(SIGKILL, existing);
        if (WIFSIGNALED(status))
            EXPECT_TRUE(stagingExists()) << "a killed export cannot clean up";
        const test::CliResult again = test::runCli(convertArgs(m_out, true));
        ASSERT_EQ(again.exitCode, 0) << again.err;
        EXPECT_FALSE(stagingExists());
        expectCompleteExport();
    }
}
