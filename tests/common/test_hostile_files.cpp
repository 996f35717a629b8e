// Hostile files in a model folder or given as flags (issue 14, items 2, 3, 7 and 8): JSON nested 100,000 deep, FIFOs,
// links to /dev/zero and links leading out of the folder. Each ends in exit code 2 with one line naming the file, or
// in the safe behaviour (a link out of the folder is not copied into an export); never a crash, a hang or a leak.
#include "common/hostile_inputs.h"
#include "export/export_test_support.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include <sys/stat.h>

namespace spw {
namespace {

namespace fs = std::filesystem;

class HostileFiles : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_source = test::makeSourceFolder("bert_mlm", "bert_json");
        m_work = test::makeTempDir("spw-hostile-files");
    }
    void TearDown() override
    {
        fs::remove_all(m_source.parent_path());
        fs::remove_all(m_work);
    }

    test::CliResult convert(const std::vector<std::string>& extra = {}) const
    {
        std::vector<std::string> args
            = { "convert", m_source.string(), "--out", out().string(), "--max-position", "1024" };
        args.insert(args.end(), extra.begin(), extra.end());
        return test::runCli(args);
    }
    fs::path out() const { return m_work / "out"; }
    std::string inputs() const { return std::string(SPW_FIXTURES_DIR) + "/models/bert_mlm/inputs.safetensors"; }
    void expectNothingWritten() const
    {
        EXPECT_EQ(test::listNames(m_work), std::vector<std::string> {}) << "an output or a staging folder is left";
    }

    fs::path m_source;
    fs::path m_work;
};

TEST_F(HostileFiles, DeepConfigJsonIsOneLineInEveryCommand)
{
    test::writeFile(m_source / "config.json", test::deepJson(100000));
    const std::string named = "config.json: JSON nested deeper than 64 levels";
    test::expectInputError(test::runCli({ "inspect", m_source.string() }), named);
    test::expectInputError(test::runCli({ "run", m_source.string(), "--inputs", inputs(), "--output",
                               (m_work / "o.safetensors").string() }),
        named);
    test::expectInputError(convert(), named);
    expectNothingWritten();
}

TEST_F(HostileFiles, DeepSparsityConfigurationIsOneLine)
{
    const fs::path config = m_source.parent_path() / "deep.json";
    test::writeFile(config, test::deepJson(100000));
    const std::string named = "deep.json: JSON nested deeper than 64 levels";
    test::expectInputError(
        test::runCli({ "layout", "--config", config.string(), "--seq-len", "64", "--heads", "1" }), named);
    test::expectInputError(convert({ "--sparsity", config.string() }), named);
    test::expectInputError(test::runCli({ "profile", "--demo", "--sparsity", config.string(), "--seq-lens", "64",
                               "--json", (m_work / "p.json").string() }),
        named);
    expectNothingWritten();
}

// tokenizer.json is read while the export is staged: the error must also take the staging folder away.
TEST_F(HostileFiles, DeepTokenizerFilesLeaveNoExportBehind)
{
    test::writeFile(m_source / "tokenizer.json", test::deepJson(100000));
    test::expectInputError(convert(), "tokenizer.json: JSON nested deeper than 64 levels");
    expectNothingWritten();

    // The 61 KB tokenizer_config.json nested 30,000 deep that used to become a 1.8 GB export.
    test::writeFile(m_source / "tokenizer.json",
        test::readText(std::string(SPW_FIXTURES_DIR) + "/tokenizers/bert_json/tokenizer.json"));
    test::writeFile(m_source / "tokenizer_config.json", "{\"x\": " + test::deepJson(30000) + "}");
    test::expectInputError(convert(), "tokenizer_config.json: JSON nested deeper than 64 levels");
    expectNothingWritten();
}

// Under the depth bound, indentation could still multiply a nested file many times over: the rewritten
// tokenizer_config.json stays within four times its compact size (export/folder_files.h).
TEST_F(HostileFiles, RewrittenTokenizerConfigStaysInProportionToTheSource)
{
    std::string zeros = "0";
    for (int i = 0; i < 30000; ++i)
        zeros += ",0";
    const std::string nested = std::string(60, '[') + zeros + std::string(60, ']');
    const std::string source = "{\"model_max_length\": 512, \"x\": " + nested + "}";
    test::writeFile(m_source / "tokenizer_config.json", source);
    ASSERT_EQ(convert().exitCode, 0);
    const std::string written = test::readText(out() / "tokenizer_config.json");
    EXPECT_LT(written.size(), 4 * source.size() + 64) << "indented: " << written.size() << " bytes";
    const nlohmann::json json = nlohmann::json::parse(written);
    EXPECT_EQ(json["model_max_length"], 1024);
    EXPECT_EQ(json["x"], nlohmann::json::parse(nested));

    // An ordinary file is still indented as transformers writes it.
    fs::remove_all(out());
    test::writeFile(m_source / "tokenizer_config.json", R"({"do_lower_case": true, "model_max_length": 512})");
    ASSERT_EQ(convert().exitCode, 0);
    EXPECT_EQ(test::readText(out() / "tokenizer_config.json"),
        "{\n  \"do_lower_case\": true,\n  \"model_max_length\": 1024\n}\n");
}

TEST_F(HostileFiles, FifosAndDevicesAreRefusedWithoutBlocking)
{
    fs::remove(m_source / "config.json");
    ASSERT_EQ(::mkfifo((m_source / "config.json").c_str(), 0600), 0);
    test::expectInputError(
        test::runCli({ "inspect", m_source.string() }), "config.json: is a FIFO, not a regular file");
    test::expectInputError(convert(), "config.json: is a FIFO");
    expectNothingWritten();

    fs::remove(m_source / "config.json");
    fs::create_symlink("/dev/zero", m_source / "config.json");
    // /dev/zero is outside the folder too; either refusal names the file.
    test::expectInputError(test::runCli({ "inspect", m_source.string() }), "config.json");

    const fs::path fifo = m_work / "sparsity.json";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    test::expectInputError(test::runCli({ "layout", "--config", fifo.string(), "--seq-len", "64", "--heads", "1" }),
        "sparsity.json: is a FIFO");
    fs::remove(fifo);

    const fs::path weights = m_source / "model.safetensors";
    fs::copy_file(std::string(SPW_FIXTURES_DIR) + "/models/bert_mlm/config.json", m_source / "config.json.real");
    fs::remove(m_source / "config.json");
    fs::rename(m_source / "config.json.real", m_source / "config.json");
    fs::remove(weights);
    ASSERT_EQ(::mkfifo(weights.c_str(), 0600), 0);
    test::expectInputError(test::runCli({ "inspect", m_source.string() }), "model.safetensors: not a regular file");

    fs::remove(m_source / "tokenizer.json");
    ASSERT_EQ(::mkfifo((m_source / "tokenizer.json").c_str(), 0600), 0);
    test::expectInputError(test::runCli({ "tokenize", m_source.string(), "hello" }), "tokenizer.json: is a FIFO");
}

// `ln -s /etc/shadow SRC/notes.txt` used to put a copy of that file into the export.
TEST_F(HostileFiles, ConvertCopiesOnlyFilesInsideTheSourceFolder)
{
    test::writeFile(m_source.parent_path() / "secret.txt", "not for the export");
    fs::create_symlink(m_source.parent_path() / "secret.txt", m_source / "notes.txt");
    test::writeFile(m_source / "README.md", "# a model");
    fs::create_symlink("README.md", m_source / "README-link.md"); // inside: copied
    ASSERT_EQ(::mkfifo((m_source / "pipe.txt").c_str(), 0600), 0);

    const test::CliResult result = convert();
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const std::vector<std::string> written = test::listNames(out());
    EXPECT_EQ(std::count(written.begin(), written.end(), "notes.txt"), 0);
    EXPECT_EQ(std::count(written.begin(), written.end(), "pipe.txt"), 0);
    EXPECT_EQ(test::readText(out() / "README-link.md"), "# a model");
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(out() / "README-link.md")));

    EXPECT_NE(
        result.err.find("convert: not copied: notes.txt (a link leading outside the folder)\n"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("convert: not copied: pipe.txt (not a regular file)\n"), std::string::npos) << result.err;
    const nlohmann::json summary = nlohmann::json::parse(result.out);
    EXPECT_EQ(summary["skipped"],
        nlohmann::json({ "notes.txt (a link leading outside the folder)", "pipe.txt (not a regular file)" }));
}

// No file the program reads is taken from outside the model folder through a link.
TEST_F(HostileFiles, FilesLinkedFromOutsideTheFolderAreNotRead)
{
    const fs::path outside = m_source.parent_path() / "elsewhere";
    fs::create_directories(outside);
    for (const char* name : { "config.json", "model.safetensors", "tokenizer.json" }) {
        fs::rename(m_source / name, outside / name);
        fs::create_symlink(outside / name, m_source / name);
    }
    const std::string named = "leads outside the model folder";
    test::expectInputError(test::runCli({ "inspect", m_source.string() }), "config.json: " + named);
    test::expectInputError(test::runCli({ "tokenize", m_source.string(), "hello" }), "tokenizer.json: " + named);

    fs::remove(m_source / "config.json");
    fs::copy_file(outside / "config.json", m_source / "config.json");
    test::expectInputError(test::runCli({ "inspect", m_source.string() }), "model.safetensors: " + named);

    // A shard named by the index is held to the same rule.
    fs::remove(m_source / "model.safetensors");
    test::writeFile(m_source / "model.safetensors.index.json",
        R"({"weight_map": {"bert.embeddings.word_embeddings.weight": "shard.safetensors"}})");
    fs::create_symlink(outside / "model.safetensors", m_source / "shard.safetensors");
    test::expectInputError(test::runCli({ "inspect", m_source.string() }), "leaves the model folder");
}

} // namespace
} // namespace spw
