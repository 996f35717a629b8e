// exportModel: the written folder (config keys, tensors bit for bit, dtype, tokenizer files), loading it back with
// its sparse attention, and the guarantees around it: nothing left behind on failure or cancel, --force semantics,
// the source folder never modified.
#include "common/error.h"
#include "common/temp_dir.h"
#include "convert/conversion_plan.h"
#include "convert/padded_run.h"
#include "convert/sparse_attention_record.h"
#include "export/export_model.h"
#include "export/export_test_support.h"
#include "io/safetensors.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace spw;
namespace fs = std::filesystem;

namespace {

nlohmann::json readJson(const fs::path& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

SparsityConfig fixedBlock8()
{
    SparsityConfig config = defaultsFor(SparsityMode::Fixed);
    config.block = 8;
    config.numLocalBlocks = 2;
    return config;
}

ModelInputs someInputs(std::int64_t length, std::int64_t first)
{
    at::Tensor ids = at::randint(5, 99, { 2, length }, at::kLong);
    ids.select(1, 0).fill_(first);
    return ModelInputs { ids, std::nullopt, std::nullopt, std::nullopt };
}

struct Converted {
    fs::path source;
    fs::path out;
    std::unique_ptr<EncoderModel> model;
    ConversionRecord record;
    ExportResult result;
};

Converted convertAndExport(const std::string& model, const std::string& tokenizer, const ConversionPlan& plan)
{
    Converted c;
    c.source = test::makeSourceFolder(model, tokenizer);
    c.out = fs::path(test::makeTempDir("spw-export-out")) / "converted";
    c.model = loadForRun(c.source.string());
    c.record = applyConversionPlan(*c.model, plan);
    c.result = exportModel(*c.model, c.record, c.source.string(), c.out.string(), false);
    return c;
}

} // namespace

TEST(Export, RoundTripKeepsTensorsConfigAndTokenizer)
{
    ConversionPlan plan;
    plan.maxLength = 100;
    plan.sparsity = fixedBlock8();
    plan.seed = 7;
    plan.layers = std::vector<int> { 1 };
    Converted c = convertAndExport("bert_mlm", "bert_vocab", plan);
    const auto sourceFiles = test::fingerprint(c.source);
    EXPECT_EQ(c.result.directory, fs::absolute(c.out).string());
    EXPECT_EQ(test::listNames(c.out),
        (std::vector<std::string> {
            "config.json", "model.safetensors", "special_tokens_map.json", "tokenizer_config.json", "vocab.txt" }));
    EXPECT_EQ(c.result.files, test::listNames(c.out));

    // config.json: every source key kept with its value, except the new maximum and the sparse attention record.
    nlohmann::json before = readJson(c.source / "config.json");
    nlohmann::json after = readJson(c.out / "config.json");
    EXPECT_EQ(after["max_position_embeddings"], 100);
    for (auto it = before.begin(); it != before.end(); ++it)
        if (it.key() != "max_position_embeddings")
            EXPECT_EQ(after[it.key()], it.value()) << it.key();
    const nlohmann::json& sparse = after.at("sparse_attention");
    EXPECT_EQ(sparse["mode"], "fixed");
    EXPECT_EQ(sparse["block"], 8);
    EXPECT_EQ(sparse["num_local_blocks"], 2);
    EXPECT_EQ(sparse["num_heads"], 4);
    EXPECT_EQ(sparse["seed"], 7);
    EXPECT_EQ(sparse["layers"], nlohmann::json::array({ 1 }));
    EXPECT_EQ(after.size(), before.size() + 1);

    // model.safetensors: the source's names and dtype; every tensor bit-identical except the extended table.
    SafetensorsFile written((c.out / "model.safetensors").string());
    EXPECT_EQ(written.header().metadata, (std::map<std::string, std::string> { { "format", "pt" } }));
    std::map<std::string, at::Tensor> source = loadSafetensors((c.source / "model.safetensors").string());
    std::map<std::string, at::Tensor> exported = loadSafetensors((c.out / "model.safetensors").string());
    ASSERT_EQ(exported.size(), source.size());
    const std::string table = "bert.embeddings.position_embeddings.weight";
    for (const auto& [name, tensor] : source) {
        ASSERT_TRUE(exported.count(name)) << name;
        EXPECT_EQ(exported[name].scalar_type(), tensor.scalar_type()) << name;
        if (name == table)
            EXPECT_TRUE(at::equal(exported[name], tensor.index_select(0, at::arange(100).remainder(64))));
        else
            EXPECT_TRUE(at::equal(exported[name], tensor)) << name;
    }

    // Tokenizer: model_max_length updated, every other key and file kept.
    nlohmann::json tokenizerBefore = readJson(c.source / "tokenizer_config.json");
    nlohmann::json tokenizerAfter = readJson(c.out / "tokenizer_config.json");
    EXPECT_EQ(tokenizerAfter["model_max_length"], 100);
    tokenizerBefore.erase("model_max_length");
    tokenizerAfter.erase("model_max_length");
    EXPECT_EQ(tokenizerAfter, tokenizerBefore);
    EXPECT_EQ(test::readText(c.out / "vocab.txt"), test::readText(c.source / "vocab.txt"));
    EXPECT_EQ(test::readText(c.out / "special_tokens_map.json"), test::readText(c.source / "special_tokens_map.json"));
    EXPECT_EQ(Tokenizer::load(c.out.string())->modelMaxLength(), 100);

    // Loading the folder brings back the same sparse attention (layout included) and the same outputs.
    auto loaded = loadForRun(c.out.string());
    EXPECT_EQ(loaded->config().maxPositionEmbeddings, 100);
    EXPECT_EQ(sparseLayers(*loaded), std::vector<int> { 1 });
    EXPECT_EQ(loaded->selfAttention(1).sparseAttention()->layout.mask,
        c.model->selfAttention(1).sparseAttention()->layout.mask);
    for (std::int64_t length : { 5, 64, 97 }) {
        ModelInputs inputs = someInputs(length, 2);
        ModelOutputs expected = runPadded(*c.model, inputs);
        ModelOutputs actual = runPadded(*loaded, inputs);
        EXPECT_TRUE(at::equal(actual.lastHiddenState, expected.lastHiddenState)) << length;
        EXPECT_TRUE(at::equal(*actual.logits, *expected.logits)) << length;
        EXPECT_EQ(actual.logits->size(1), length);
    }
    EXPECT_EQ(test::fingerprint(c.source), sourceFiles);
}

TEST(Export, KeepsTheSourceDtypeAndUpdatesTokenizerJsonOnlyWherePresent)
{
    ConversionPlan plan;
    plan.maxLength = 80;
    Converted c = convertAndExport("roberta_fp16", "roberta_json", plan);
    std::map<std::string, at::Tensor> source = loadSafetensors((c.source / "model.safetensors").string());
    std::map<std::string, at::Tensor> exported = loadSafetensors((c.out / "model.safetensors").string());
    ASSERT_EQ(exported.size(), source.size());
    for (const auto& [name, tensor] : source) {
        EXPECT_EQ(exported[name].scalar_type(), at::kHalf) << name;
        if (name.find("position_embeddings") == std::string::npos)
            EXPECT_TRUE(at::equal(exported[name], tensor)) << name;
    }
    EXPECT_EQ(exported["embeddings.position_embeddings.weight"].size(0), 82);
    nlohmann::json config = readJson(c.out / "config.json");
    EXPECT_EQ(config["max_position_embeddings"], 82);
    EXPECT_EQ(config["dtype"], "float16");
    EXPECT_FALSE(config.contains("sparse_attention"));
    // This tokenizer.json has no truncation and no model_max_length: copied byte for byte.
    EXPECT_EQ(test::readText(c.out / "tokenizer.json"), test::readText(c.source / "tokenizer.json"));
    EXPECT_EQ(readJson(c.out / "tokenizer_config.json")["model_max_length"], 80);
}

TEST(Export, TokenizerJsonTruncationFollowsTheNewMaximum)
{
    const fs::path source = test::makeSourceFolder("bert_mlm", "bert_json");
    nlohmann::ordered_json tokenizer = nlohmann::ordered_json::parse(test::readText(source / "tokenizer.json"));
    tokenizer["truncation"]
        = { { "direction", "Right" }, { "max_length", 64 }, { "strategy", "LongestFirst" }, { "stride", 0 } };
    std::ofstream(source / "tokenizer.json", std::ios::trunc) << tokenizer.dump(2);
    auto model = loadForRun(source.string());
    ConversionPlan plan;
    plan.maxLength = 96;
    ConversionRecord record = applyConversionPlan(*model, plan);
    const fs::path out = fs::path(test::makeTempDir("spw-export-out")) / "out";
    exportModel(*model, record, source.string(), out.string(), false);
    nlohmann::ordered_json written = nlohmann::ordered_json::parse(test::readText(out / "tokenizer.json"));
    EXPECT_EQ(written["truncation"]["max_length"], 96);
    EXPECT_EQ(written["truncation"]["strategy"], "LongestFirst");
    written["truncation"]["max_length"] = 64;
    EXPECT_EQ(written, tokenizer); // nothing else changed, key order included
}

TEST(Export, LegacyNamesAreWrittenAsTransformersNamesThem)
{
    ConversionPlan plan;
    plan.maxLength = 70;
    Converted c = convertAndExport("bert_legacy_names", "", plan);
    std::map<std::string, at::Tensor> exported = loadSafetensors((c.out / "model.safetensors").string());
    EXPECT_TRUE(exported.count("embeddings.LayerNorm.weight"));
    EXPECT_FALSE(exported.count("embeddings.LayerNorm.gamma"));
    EXPECT_FALSE(exported.count("embeddings.position_ids"));
    auto loaded = loadForRun(c.out.string());
    ModelInputs inputs = someInputs(70, 2);
    EXPECT_TRUE(at::equal(runPadded(*loaded, inputs).lastHiddenState, runPadded(*c.model, inputs).lastHiddenState));
}

TEST(Export, ExistingOutputNeedsForceAndIsReplacedWhole)
{
    const fs::path source = test::makeSourceFolder("bert_mlm", "bert_vocab");
    const auto sourceFiles = test::fingerprint(source);
    const fs::path parent = test::makeTempDir("spw-export-force");
    const fs::path out = parent / "out";
    fs::create_directories(out);
    std::ofstream(out / "config.json") << "{}"; // a model folder: --force may replace it
    std::ofstream(out / "stale.txt") << "old";
    auto model = loadForRun(source.string());
    ConversionRecord record = applyConversionPlan(*model, ConversionPlan { 100, std::nullopt, std::nullopt, {} });

    try {
        exportModel(*model, record, source.string(), out.string(), false);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("already exists"), std::string::npos) << error.what();
    }
    EXPECT_EQ(test::listNames(out), (std::vector<std::string> { "config.json", "stale.txt" }));
    EXPECT_EQ(test::listNames(parent), std::vector<std::string> { "out" });

    exportModel(*model, record, source.string(), out.string(), true);
    EXPECT_FALSE(fs::exists(out / "stale.txt"));
    EXPECT_TRUE(fs::exists(out / "model.safetensors"));
    EXPECT_EQ(test::listNames(parent), std::vector<std::string> { "out" }); // no temporary or old folder left
    EXPECT_EQ(test::fingerprint(source), sourceFiles);
}

TEST(Export, CancelLeavesNothingBehind)
{
    const fs::path source = test::makeSourceFolder("roberta_mlm", "roberta_vocab");
    const auto sourceFiles = test::fingerprint(source);
    auto model = loadForRun(source.string());
    ConversionRecord record = applyConversionPlan(*model, ConversionPlan { 100, std::nullopt, std::nullopt, {} });
    const fs::path parent = test::makeTempDir("spw-export-cancel");
    // Cancel at each reported step in turn: before writing, after config, after weights, while copying files.
    for (int cancelAt = 0; cancelAt < 6; ++cancelAt) {
        int calls = 0;
        auto progress = [&](float) { return calls++ < cancelAt; };
        EXPECT_THROW(
            exportModel(*model, record, source.string(), (parent / "out").string(), false, progress), Cancelled)
            << cancelAt;
        EXPECT_TRUE(test::listNames(parent).empty()) << cancelAt;
    }
    // With an existing output and force, a cancel keeps the old folder as it was.
    fs::create_directories(parent / "out");
    std::ofstream(parent / "out" / "config.json") << "{}";
    std::ofstream(parent / "out" / "keep.txt") << "keep";
    int calls = 0;
    EXPECT_THROW(exportModel(*model, record, source.string(), (parent / "out").string(), true,
                     [&](float) { return calls++ < 3; }),
        Cancelled);
    EXPECT_EQ(test::listNames(parent), std::vector<std::string> { "out" });
    EXPECT_EQ(test::listNames(parent / "out"), (std::vector<std::string> { "config.json", "keep.txt" }));
    EXPECT_EQ(test::fingerprint(source), sourceFiles);
}

TEST(Export, FailuresLeaveNothingBehind)
{
    const fs::path source = test::makeSourceFolder("bert_mlm", "bert_vocab");
    auto model = loadForRun(source.string());
    ConversionRecord record = applyConversionPlan(*model, ConversionPlan { 100, std::nullopt, std::nullopt, {} });

    // A parent that does not exist, and one no file can be created in (even by root).
    EXPECT_THROW(exportModel(*model, record, source.string(), "/nonexistent-spw/a/b", false), Error);
    EXPECT_THROW(exportModel(*model, record, source.string(), "/proc/spw-export-test", false), Error);
    EXPECT_FALSE(fs::exists("/proc/spw-export-test"));

    // A broken tokenizer_config.json fails half-way through: the temporary folder is removed.
    std::ofstream(source / "tokenizer_config.json", std::ios::trunc) << "{ not json";
    const auto sourceFiles = test::fingerprint(source);
    const fs::path parent = test::makeTempDir("spw-export-fail");
    try {
        exportModel(*model, record, source.string(), (parent / "out").string(), false);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("tokenizer_config.json"), std::string::npos) << error.what();
    }
    EXPECT_TRUE(test::listNames(parent).empty());
    EXPECT_EQ(test::fingerprint(source), sourceFiles);
}

TEST(Export, RefusesToWriteIntoTheSource)
{
    const fs::path source = test::makeSourceFolder("bert_mlm", "bert_vocab");
    const auto sourceFiles = test::fingerprint(source);
    auto model = loadForRun(source.string());
    ConversionRecord record = applyConversionPlan(*model, ConversionPlan { 100, std::nullopt, std::nullopt, {} });
    EXPECT_THROW(exportModel(*model, record, source.string(), source.string(), true), Error);
    EXPECT_THROW(
        exportModel(*model, record, source.string(), (source / ".." / source.filename()).string(), true), Error);
    EXPECT_THROW(exportModel(*model, record, source.string(), (source / "inside").string(), true), Error);
    EXPECT_THROW(exportModel(*model, record, source.string(), source.parent_path().string(), true), Error);
    EXPECT_EQ(test::fingerprint(source), sourceFiles);
}

TEST(Export, RecordedSparseAttentionErrorsNameTheKey)
{
    ConversionPlan plan;
    plan.sparsity = fixedBlock8();
    Converted c = convertAndExport("bert_mlm", "", plan);
    nlohmann::json config = readJson(c.out / "config.json");
    EXPECT_EQ(config["sparse_attention"]["layers"], nlohmann::json::array({ 0, 1 }));
    EXPECT_EQ(config["max_position_embeddings"], 64);
    config["sparse_attention"]["layers"] = { 0, 5 };
    std::ofstream(c.out / "config.json", std::ios::trunc) << config.dump(2);
    try {
        loadForRun(c.out.string());
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("sparse_attention"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("layer 5"), std::string::npos) << error.what();
    }
    config["sparse_attention"] = { { "mode", "fixed" }, { "block", 8 }, { "bogus", 1 } };
    std::ofstream(c.out / "config.json", std::ios::trunc) << config.dump(2);
    EXPECT_THROW(loadForRun(c.out.string()), Error);
}
