// `sparse-workbench-cli evaluate`: masked-LM loss, perplexity and top-1 accuracy of a checkpoint on a text, as it is,
// extended to a longer length with dense attention, and with each sparse layout (engine/quality/evaluation.h).
#include "cli/command_inputs.h"
#include "cli/commands.h"
#include "cli/interruption.h"

#include "common/error.h"
#include "convert/sparse_attention_record.h"
#include "profile/profile_report.h"
#include "quality/evaluation.h"
#include "tokenizer/tokenizer.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <limits>
#include <ostream>

namespace spw::cli {
namespace {

nlohmann::ordered_json resultsToJson(const std::vector<EvaluationResult>& results)
{
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const EvaluationResult& r : results)
        list.push_back({ { "configuration", r.configuration }, { "seq_len", r.seqLen }, { "tokens", r.tokens },
            { "loss", r.loss }, { "perplexity", r.perplexity }, { "accuracy", r.accuracy }, { "seconds", r.seconds } });
    return { { "results", list } };
}

EvaluationSettings readSettings(const Arguments& args)
{
    EvaluationSettings settings;
    settings.seqLen = args.integer("seq-len", 1, std::numeric_limits<std::int32_t>::max());
    settings.layouts = readLayouts(args.values("sparsity"),
        { kAsIsConfiguration, kExtendedDenseConfiguration, kExtendedRandomDenseConfiguration });
    settings.maskProbability = args.number("mask-prob").value_or(0.15);
    settings.seed = std::uint64_t(args.integer("seed", 0, std::numeric_limits<std::int64_t>::max()).value_or(0));
    settings.batch = args.integer("batch", 1, 1 << 16).value_or(settings.batch);
    settings.randomPositions = args.has("random-positions");
    return settings;
}

int runEvaluate(const Arguments& args, std::ostream& out, std::ostream& err)
{
    const std::string directory = args.positional().front();
    const std::string textPath = args.required("text");
    const auto jsonPath = args.value("json");
    if (jsonPath) {
        checkReportPath(*jsonPath, "--json");
        checkReportsOutsideInputs(args, { { "--json", *jsonPath } });
    }
    const EvaluationSettings settings = readSettings(args);
    const auto maxTokens = args.integer("max-tokens", 1, std::numeric_limits<std::int64_t>::max());
    const LoadOptions options = deviceOptions(args, "evaluate", err);

    // A converted folder loads with its sparse layers: "as-is" is the model as `run` would run it.
    std::unique_ptr<EncoderModel> model = loadForRun(directory, options);
    requireMaskedLmHead(*model); // before looking for its tokenizer
    std::unique_ptr<Tokenizer> tokenizer = Tokenizer::load(directory);
    checkEvaluation(*model, *tokenizer, settings); // before reading a text that may be long

    InterruptionGuard interruption;
    try {
        const TokenizedText text = [&] {
            try {
                return tokenizeEvaluationText(textPath, *tokenizer, maxTokens, interruption.progress());
            } catch (const EnvironmentError&) {
                throw;
            } catch (const Error& e) {
                fail("--text {}", e.what());
            }
        }();
        auto onResult = [&](const EvaluationResult& r) {
            err << fmt::format("evaluate: {} at {} tokens: {} tokens scored, loss {:.4f}, perplexity {:.3f}, accuracy "
                               "{:.4f}, {:.1f} s\n",
                r.configuration, r.seqLen, r.tokens, r.loss, r.perplexity, r.accuracy, r.seconds);
            err.flush();
        };
        const std::vector<EvaluationResult> results
            = evaluateMaskedLm(*model, *tokenizer, text, settings, onResult, interruption.progress());
        const nlohmann::ordered_json report = resultsToJson(results);
        if (jsonPath)
            writeReportFile(*jsonPath, report.dump(2) + "\n", "--json");
        out << report.dump() << '\n';
        return 0;
    } catch (const Cancelled&) {
        if (interruption.signal() != 0)
            interruption.endBySignal(err, "evaluate: cancelled, no report written");
        throw;
    }
}

} // namespace

Command evaluateCommand()
{
    CommandSpec spec {
        "evaluate",
        "Masked-LM loss, perplexity and accuracy on a text: the model as it is, extended, and per sparse layout",
        "DIR",
        1,
        1,
        {
            { "text", "PATH", "a UTF-8 text file, or a folder of .txt files (required)" },
            { "seq-len", "N", "window length in tokens (default: the model's maximum; longer extends it)" },
            { "sparsity", "CONFIG.json", "sparsity configuration, one result each", true },
            { "mask-prob", "P", "share of the text's tokens masked and scored, BERT's 80/10/10 rule (default 0.15)" },
            { "seed", "S", "seed of the masking and of the layouts' random blocks (default 0)" },
            { "batch", "B", "windows per forward pass (default 4)" },
            { "max-tokens", "T", "use only the first T tokens of the text" },
            { "random-positions", "",
                "also score the extension with new position rows drawn at random instead of "
                "copied (\"extended-random-dense\", Longformer's baseline)" },
            { "device", "cpu|cuda", "where to compute (default cpu)" },
            { "dtype", "float32|float16|bfloat16", "compute dtype on CUDA (CPU always computes in float32)" },
            { "json", "OUT.json", "also write the results to this file" },
        },
    };
    return { spec, runEvaluate };
}

} // namespace spw::cli
