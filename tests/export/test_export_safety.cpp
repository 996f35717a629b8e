// What an export may replace and how it recovers from a killed predecessor: only an empty folder or a model folder
// is ever replaced; temporary folders of killed exports of the same output are removed; a replacement killed between
// its two renames is rolled back to the old folder.
#include "common/child_process.h"
#include "common/error.h"
#include "common/file_size_limit.h"
#include "common/run_cli.h"
#include "convert/conversion_plan.h"
#include "convert/sparse_attention_record.h"
#include "export/export_model.h"
#include "export/export_test_support.h"
#include "export/staging_folder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace spw;
namespace fs = std::filesystem;

namespace {

class ExportSafety : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_source = test::makeSourceFolder("bert_mlm", "bert_vocab");
        m_model = loadForRun(m_source.string());
        m_record = applyConversionPlan(*m_model, ConversionPlan { 100, std::nullopt, std::nullopt, {} });
        m_parent = test::makeTempDir("spw-export-safety");
        m_out = m_parent / "out";
    }

    ExportResult exportTo(const fs::path& out, bool force)
    {
        return exportModel(*m_model, m_record, m_source.string(), out.string(), force);
    }

    // The message of the spw::Error the export throws (not an environment failure: the folder is the mistake).
    std::string refusal(const fs::path& out)
    {
        try {
            exportTo(out, true);
        } catch (const EnvironmentError& error) {
            return std::string("environment failure: ") + error.what();
        } catch (const Error& error) {
            return error.what();
        }
        return "no error";
    }

    fs::path m_source;
    std::unique_ptr<EncoderModel> m_model;
    ConversionRecord m_record;
    fs::path m_parent;
    fs::path m_out;
};

void writeFile(const fs::path& path, const std::string& text)
{
    std::ofstream(path) << text;
}

} // namespace

TEST_F(ExportSafety, ForceReplacesOnlyAnEmptyFolderOrAModelFolder)
{
    // A folder of other things (`--out .` from one's home): refused, with or without force, naming what it holds.
    fs::create_directories(m_out / "Documents");
    for (const char* name : { "notes.txt", "a.png", "b.png", "c.png", "d.png", "e.png" })
        writeFile(m_out / name, "mine");
    const auto before = test::fingerprint(m_out);
    const std::string message = refusal(m_out);
    EXPECT_NE(message.find("not a model folder (no config.json)"), std::string::npos) << message;
    EXPECT_NE(message.find("Documents, a.png, b.png, c.png, d.png and 2 more"), std::string::npos) << message;
    EXPECT_THROW(exportTo(m_out, false), Error);
    EXPECT_EQ(test::fingerprint(m_out), before);

    // A model folder holding a subfolder: refused, naming the subfolder.
    writeFile(m_out / "config.json", "{}");
    const std::string subfolder = refusal(m_out);
    EXPECT_NE(subfolder.find("subfolder(s) Documents"), std::string::npos) << subfolder;
    EXPECT_TRUE(fs::exists(m_out / "notes.txt"));

    // A model folder of files: replaced with force, OutputFolderExists without.
    fs::remove_all(m_out / "Documents");
    EXPECT_THROW(exportTo(m_out, false), OutputFolderExists);
    exportTo(m_out, true);
    EXPECT_FALSE(fs::exists(m_out / "notes.txt"));
    EXPECT_TRUE(fs::exists(m_out / "model.safetensors"));

    // An empty folder: replaced with force.
    const fs::path empty = m_parent / "empty";
    fs::create_directories(empty);
    EXPECT_THROW(exportTo(empty, false), OutputFolderExists);
    exportTo(empty, true);
    EXPECT_TRUE(fs::exists(empty / "config.json"));
    EXPECT_EQ(test::listNames(m_parent), (std::vector<std::string> { "empty", "out" }));
}

TEST_F(ExportSafety, AFullDiskWhileCopyingTheFolderIsTheMachinesFailureAndLeavesNothing)
{
    // The weights (~100 KB) fit under the limit; the copied notes, then the rewritten tokenizer_config.json, do not.
    const std::string large(1 << 20, 'x');
    writeFile(m_source / "notes.txt", large);
    for (const char* file : { "notes.txt", "tokenizer_config.json" }) {
        if (std::string(file) == "tokenizer_config.json") {
            fs::remove(m_source / "notes.txt");
            writeFile(m_source / file, "{\"padding_side\": \"right\", \"comment\": \"" + large + "\"}");
        }
        // The system's reason varies (the copy's sendfile says EIO, a plain write EFBIG): the class is what counts.
        std::string message = "no error";
        try {
            const test::FileSizeLimit limit(512 << 10);
            exportTo(m_out, false);
        } catch (const EnvironmentError& error) {
            message = error.what();
        } catch (const Error& error) {
            message = std::string("input mistake: ") + error.what();
        }
        EXPECT_NE(message.find(file), std::string::npos) << message;
        EXPECT_EQ(message.find("input mistake"), std::string::npos) << message;
        EXPECT_TRUE(test::listNames(m_parent).empty()) << "a staging folder or a partial export was left";
    }
}

TEST_F(ExportSafety, ConvertForceRefusesAFolderOfOtherThings)
{
    fs::create_directories(m_out / "photos");
    writeFile(m_out / "letter.txt", "mine");
    const test::CliResult result
        = test::runCli({ "convert", m_source.string(), "--out", m_out.string(), "--max-position", "80", "--force" });
    EXPECT_EQ(result.exitCode, 2) << result.err;
    EXPECT_NE(result.err.find("letter.txt, photos"), std::string::npos) << result.err;
    EXPECT_EQ(test::listNames(m_out), (std::vector<std::string> { "letter.txt", "photos" }));
    EXPECT_EQ(test::listNames(m_parent), std::vector<std::string> { "out" });

    // The machine refusing the folder is an environment failure: exit 1.
    const test::CliResult proc
        = test::runCli({ "convert", m_source.string(), "--out", "/proc/spw-export-safety", "--max-position", "80" });
    EXPECT_EQ(proc.exitCode, 1) << proc.err;
    EXPECT_NE(proc.err.find("/proc/spw-export-safety"), std::string::npos) << proc.err;
}

TEST_F(ExportSafety, TemporaryFoldersOfKilledExportsAreRemoved)
{
    const std::string dead = std::to_string(test::exitedProcessId());
    const std::string alive = std::to_string(::getppid());
    fs::create_directories(m_out);
    writeFile(m_out / "config.json", "{}");
    // Left by a killed export of this output: a half-written folder, and an old folder after a swap.
    for (const std::string& name : { ".out.tmp-" + dead + "-3fa9", ".out.old-" + dead + "-77" }) {
        fs::create_directories(m_parent / name);
        writeFile(m_parent / name / "model.safetensors", std::string(1000, 'w'));
    }
    // Not abandoned, or not this output's: kept.
    const std::vector<std::string> kept = { ".out.tmp-" + alive + "-1", ".outer.tmp-" + dead + "-1", ".out.tmp-notes" };
    for (const std::string& name : kept)
        fs::create_directories(m_parent / name);

    exportTo(m_out, true);
    std::vector<std::string> expected = kept;
    expected.push_back("out");
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(test::listNames(m_parent), expected);
    EXPECT_TRUE(fs::exists(m_out / "model.safetensors"));
}

// A replacement without RENAME_EXCHANGE renames the old folder aside, then the new one in. Killed between the two,
// it leaves no output, the old folder aside and the new one staged: the next export puts the old one back.
TEST_F(ExportSafety, AReplacementKilledBetweenItsRenamesIsRolledBack)
{
    const std::string dead = std::to_string(test::exitedProcessId());
    const fs::path aside = m_parent / (".out.old-" + dead + "-5e");
    const fs::path staged = m_parent / (".out.tmp-" + dead + "-6f");
    fs::create_directories(aside);
    writeFile(aside / "config.json", "{\"old\": true}");
    fs::create_directories(staged);
    writeFile(staged / "config.json", "{\"new\": true}");
    const auto old = test::fingerprint(aside);

    EXPECT_THROW(exportTo(m_out, false), OutputFolderExists); // the old folder is back, so it exists
    EXPECT_EQ(test::listNames(m_parent), std::vector<std::string> { "out" });
    EXPECT_EQ(test::fingerprint(m_out), old);

    exportTo(m_out, true);
    EXPECT_TRUE(fs::exists(m_out / "model.safetensors"));
    EXPECT_EQ(test::listNames(m_parent), std::vector<std::string> { "out" });
}
