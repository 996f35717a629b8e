// `create`, `inspect` and `run` through the CLI's entry point: outputs against transformers' fixtures, every
// broken input an exit code 2 with one line naming it, and outputs that never overwrite an input.
#include "common/run_cli.h"
#include "golden.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using spw::test::runCli;
namespace fs = std::filesystem;

namespace {

class ModelCli : public ::testing::Test {
protected:
    void SetUp() override { m_dir = spw::test::makeTempDir("spw-model-cli"); }
    void TearDown() override { fs::remove_all(m_dir); }

    // A copy of a fixture folder that a test may break.
    std::string copyOf(const std::string& fixture)
    {
        std::string target = m_dir + "/" + fixture;
        fs::copy(spw::test::modelFixture(fixture), target, fs::copy_options::recursive);
        return target;
    }

    void expectOneLineError(const spw::test::CliResult& result, const std::string& expected, int exitCode = 2)
    {
        EXPECT_EQ(result.exitCode, exitCode) << result.err;
        EXPECT_EQ(result.err.rfind("error: ", 0), 0u) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        EXPECT_NE(result.err.find(expected), std::string::npos) << result.err;
    }

    std::string m_dir;
};

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return { std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>() };
}

void writeFile(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

} // namespace

TEST_F(ModelCli, RunMatchesTransformers)
{
    for (const char* name : { "bert_mlm", "bert_cls_sharded", "roberta_fp16" }) {
        std::string output = m_dir + "/" + name + ".safetensors";
        auto result = runCli({ "run", spw::test::modelFixture(name), "--inputs",
            spw::test::modelFixture(name) + "/inputs.safetensors", "--output", output });
        ASSERT_EQ(result.exitCode, 0) << result.err;
        auto written = spw::loadSafetensors(output);
        auto expected = spw::test::fixtureExpected(name);
        ASSERT_EQ(written.size(), expected.size()) << name;
        for (const auto& [key, tensor] : expected) {
            ASSERT_EQ(written.count(key), 1u) << name << " " << key;
            EXPECT_EQ(written.at(key).scalar_type(), at::kFloat);
            EXPECT_LE(spw::test::maxAbsDifference(written.at(key), tensor), 1e-4) << name << " " << key;
        }
    }
}

// `run --output` replaces what is at its path: never the model's weights or the inputs, however the path is spelt.
TEST_F(ModelCli, RunNeverWritesOverWhatItReads)
{
    const std::string model = copyOf("bert_mlm");
    const std::string weights = readFile(model + "/model.safetensors");
    const std::string inputs = model + "/inputs.safetensors";
    const std::string inputBytes = readFile(inputs);
    fs::create_symlink(model, m_dir + "/link");
    const std::string moved = m_dir + "/inputs.safetensors";
    fs::copy_file(inputs, moved);
    for (const std::string& output : { model + "/model.safetensors", model + "/../bert_mlm/model.safetensors",
             m_dir + "/link/model.safetensors", model + "/new/out.safetensors", model })
        expectOneLineError(runCli({ "run", model, "--inputs", inputs, "--output", output }), "the model folder");
    expectOneLineError(runCli({ "run", model, "--inputs", moved, "--output", moved }), "the --inputs file");
    EXPECT_EQ(readFile(model + "/model.safetensors"), weights);
    EXPECT_EQ(readFile(inputs), inputBytes);
    EXPECT_EQ(readFile(moved), inputBytes);

    // Beside the model, the output replaces an existing file whole and leaves no temporary file behind.
    const std::string output = m_dir + "/out.safetensors";
    writeFile(output, "previous");
    fs::permissions(output, fs::perms::owner_read | fs::perms::owner_write);
    ASSERT_EQ(runCli({ "run", model, "--inputs", inputs, "--output", output }).exitCode, 0);
    EXPECT_EQ(spw::loadSafetensors(output).count("last_hidden_state"), 1u);
    EXPECT_EQ(fs::status(output).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(m_dir))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string> { "bert_mlm", "inputs.safetensors", "link", "out.safetensors" }));
}

TEST_F(ModelCli, InspectDescribesTheFolder)
{
    auto result = runCli({ "inspect", spw::test::modelFixture("bert_cls_sharded") });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    auto json = nlohmann::json::parse(result.out);
    EXPECT_EQ(json["model_type"], "bert");
    EXPECT_EQ(json["architecture"], "BertForSequenceClassification");
    EXPECT_EQ(json["num_hidden_layers"], 2);
    EXPECT_EQ(json["num_attention_heads"], 4);
    EXPECT_EQ(json["hidden_size"], 32);
    EXPECT_EQ(json["max_position_embeddings"], 64);
    EXPECT_EQ(json["parameters"], 23587); // transformers' index.json total_parameters
    EXPECT_EQ(json["dtype"], "float32");
    EXPECT_EQ(json["num_labels"], 3);
    EXPECT_TRUE(json["tokenizer"]["kind"].is_null());
    auto fp16 = nlohmann::json::parse(runCli({ "inspect", spw::test::modelFixture("roberta_fp16") }).out);
    EXPECT_EQ(fp16["dtype"], "float16");
}

TEST_F(ModelCli, CreateWritesALoadableFolder)
{
    std::string out = m_dir + "/created";
    auto result = runCli({ "create", "--out", out, "--type", "roberta", "--layers", "2", "--hidden", "32", "--heads",
        "4", "--intermediate", "64", "--max-position", "64", "--vocab", "4000", "--seed", "3" });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    auto json = nlohmann::json::parse(runCli({ "inspect", out }).out);
    EXPECT_EQ(json["architecture"], "RobertaForMaskedLM");
    EXPECT_EQ(json["max_position_embeddings"], 66);
    EXPECT_EQ(json["tokenizer"]["kind"], "bpe");
    EXPECT_EQ(json["tokenizer"]["model_max_length"], 64);
    auto tensors = spw::loadSafetensors(out + "/model.safetensors");
    EXPECT_EQ(tensors.count("lm_head.decoder.weight"), 0u); // tied, as transformers saves it
    EXPECT_NEAR(tensors.at("roberta.encoder.layer.0.attention.self.query.weight").std().item<double>(), 0.02, 0.002);
    for (const auto& entry : fs::directory_iterator(m_dir))
        EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();

    expectOneLineError(runCli({ "create", "--out", out }), "already exists");
    expectOneLineError(runCli({ "create", "--out", m_dir + "/x", "--hidden", "30", "--heads", "4" }), "--heads");
    expectOneLineError(runCli({ "create", "--out", m_dir + "/y", "--vocab", "10" }), "--vocab");
    expectOneLineError(runCli({ "create", "--out", m_dir + "/z", "--type", "gpt" }), "--type");
    EXPECT_FALSE(fs::exists(m_dir + "/x"));
}

TEST_F(ModelCli, BrokenCheckpointsAreOneLineErrors)
{
    std::string dir = copyOf("bert_mlm");
    std::string weights = dir + "/model.safetensors";
    const std::string good = readFile(weights);
    auto inspectFails = [&](const std::string& bytes, const std::string& expected) {
        writeFile(weights, bytes);
        expectOneLineError(runCli({ "inspect", dir }), expected);
        expectOneLineError(runCli({ "run", dir, "--inputs", spw::test::modelFixture("bert_mlm") + "/inputs.safetensors",
                               "--output", m_dir + "/out.safetensors" }),
            expected);
    };
    inspectFails(good.substr(0, good.size() - 10), "truncated");
    inspectFails(good + "extra", "trailing bytes");
    std::string longHeader = good;
    longHeader[3] = 1; // header length now 16 MiB more: beyond the file, within the limit
    inspectFails(longHeader, "runs past the end");
    std::string garbage = good;
    garbage[8] = '#';
    inspectFails(garbage, "header: not valid JSON");
    std::string unknownDtype = good;
    auto at = unknownDtype.find("\"F32\"");
    unknownDtype.replace(at, 5, "\"Q32\"");
    inspectFails(unknownDtype, "unknown dtype 'Q32'");
    std::string overlap = good;
    at = overlap.find("\"data_offsets\":[0,");
    ASSERT_NE(at, std::string::npos);
    overlap.replace(at, 18, "\"data_offsets\":[4,");
    inspectFails(overlap, "data_offsets");
    writeFile(weights, good);

    auto tensors = spw::loadSafetensors(weights);
    tensors.erase("bert.encoder.layer.0.output.dense.weight");
    spw::saveSafetensors(weights, tensors);
    expectOneLineError(runCli({ "inspect", dir }), "missing tensor 'bert.encoder.layer.0.output.dense.weight'");
    tensors["bert.encoder.layer.0.output.dense.weight"] = at::zeros({ 32, 63 });
    spw::saveSafetensors(weights, tensors);
    expectOneLineError(runCli({ "inspect", dir }), "[32, 63] but config.json implies [32, 64]");

    writeFile(dir + "/config.json", "{ this is not json");
    expectOneLineError(runCli({ "inspect", dir }), "config.json: not valid JSON");
    writeFile(dir + "/config.json", R"({"model_type": "bert", "hidden_size": 32})");
    expectOneLineError(runCli({ "inspect", dir }), "missing key \"vocab_size\"");
    expectOneLineError(runCli({ "inspect", m_dir + "/absent" }), "absent");
}

TEST_F(ModelCli, BadRunInputsAreNamed)
{
    const std::string model = spw::test::modelFixture("bert_mlm");
    auto inputs = spw::loadSafetensors(model + "/inputs.safetensors");
    auto runWith = [&](const std::map<std::string, at::Tensor>& tensors) {
        std::string path = m_dir + "/inputs.safetensors";
        spw::saveSafetensors(path, tensors);
        return runCli({ "run", model, "--inputs", path, "--output", m_dir + "/out.safetensors" });
    };
    auto changed = [&](const std::string& key, const at::Tensor& value) {
        auto copy = inputs;
        copy[key] = value;
        return copy;
    };
    expectOneLineError(runWith(changed("input_ids", inputs.at("input_ids").to(at::kInt))), "input_ids must be I64");
    expectOneLineError(runWith(changed("input_ids", inputs.at("input_ids") + 90)), "input_ids: values");
    expectOneLineError(runWith(changed("input_ids", at::full({ 1, 65 }, 3, at::kLong))), "length 65");
    expectOneLineError(runWith(changed("attention_mask", at::ones({ 3, 4 }, at::kLong))), "attention_mask");
    expectOneLineError(runWith(changed("attention_mask", inputs.at("attention_mask") * 2)), "only 0 and 1");
    expectOneLineError(runWith(changed("token_type_ids", inputs.at("token_type_ids") + 2)), "token_type_ids");
    expectOneLineError(runWith(changed("extra", at::zeros({ 1 }))), "unexpected tensor 'extra'");
    auto noIds = inputs;
    noIds.erase("input_ids");
    expectOneLineError(runWith(noIds), "missing tensor input_ids");
}

// The input is fine, the machine lacks the device: an environment failure, exit 1.
TEST_F(ModelCli, CudaWithoutCudaIsAnEnvironmentFailure)
{
    if (at::hasCUDA())
        GTEST_SKIP() << "a CUDA device is present";
    const std::string model = spw::test::modelFixture("bert_mlm");
    expectOneLineError(runCli({ "run", model, "--inputs", model + "/inputs.safetensors", "--output",
                           m_dir + "/out.safetensors", "--device", "cuda" }),
        "--device cuda", 1);
}
