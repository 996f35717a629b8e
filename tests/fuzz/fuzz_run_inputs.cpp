// Fuzzes the inputs file of `run` (input_ids, attention_mask, token_type_ids in safetensors) through the CLI entry
// point, against real model folders: the BERT and RoBERTa fixtures and a block-sparse conversion of the RoBERTa one
// (whose inputs are padded to the block). Which model an input meets follows from its bytes, so that a saved
// crash replays alike. `run` must end in 0 (and write its outputs) or 2 with one line naming the mistake.
#include "fuzz_support.h"

#include "common/run_cli.h"
#include "io/safetensors.h"

#include <filesystem>
#include <numeric>
#include <vector>

namespace {

using spw::fuzz::finding;

std::vector<std::string> makeModels()
{
    const std::string fixtures = SPW_FIXTURES_DIR "/models";
    const std::string& scratch = spw::fuzz::scratchFolder();
    const std::string sparsity = scratch + "/fixed.json";
    spw::fuzz::writeFile(sparsity, R"({"mode": "fixed", "block": 4, "num_local_blocks": 2, "num_global_blocks": 1})");
    const std::string sparse = scratch + "/roberta_sparse";
    const spw::test::CliResult converted
        = spw::test::runCli({ "convert", fixtures + "/roberta_cls", "--out", sparse, "--sparsity", sparsity });
    if (converted.exitCode != 0)
        finding("the harness could not convert its sparse model: " + converted.err);
    return { fixtures + "/bert_mlm", fixtures + "/roberta_cls", sparse };
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::vector<std::string> models = makeModels();
    const std::string& scratch = spw::fuzz::scratchFolder();
    const std::string inputs = scratch + "/inputs.safetensors";
    const std::string outputs = scratch + "/outputs.safetensors";
    spw::fuzz::writeFile(inputs, data, size);
    std::error_code ignored;
    std::filesystem::remove(outputs, ignored);

    const std::size_t pick = std::accumulate(data, data + size, std::size_t(0)) % models.size();
    const spw::test::CliResult result
        = spw::test::runCli({ "run", models[pick], "--inputs", inputs, "--output", outputs });
    if (result.exitCode == 2)
        return 0;
    if (result.exitCode != 0)
        finding("run exited " + std::to_string(result.exitCode) + " on " + models[pick] + ": " + result.err);
    try {
        if (!spw::loadSafetensors(outputs).count("last_hidden_state"))
            finding("run succeeded without writing last_hidden_state");
    } catch (const std::exception& e) {
        finding(std::string("run succeeded but its output does not read back: ") + e.what());
    }
    return 0;
}
