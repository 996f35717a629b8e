// `sparse-workbench-cli profile`: timing, peak memory and output drift of dense versus block-sparse attention over
// sequence lengths × batch sizes × sparsity configurations, for a checkpoint folder or an in-memory demo model.
#include "cli/command_inputs.h"
#include "cli/commands.h"

#include "common/available_memory.h"
#include "common/error.h"
#include "common/file_reading.h"
#include "common/utf8_text.h"
#include "convert/model_conversion.h"
#include "model/create_model.h"
#include "profile/machine_info.h"
#include "profile/profile_model.h"
#include "profile/profile_quality.h"
#include "profile/profile_report.h"
#include "profile/profiler.h"
#include "quality/evaluation.h"
#include "quality/evaluation_text.h"
#include "sparsity/sparsity_config.h"
#include "tokenizer/demo_tokenizer.h"
#include "tokenizer/tokenizer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <ostream>

#include <unistd.h>

namespace spw::cli {
namespace {

namespace fs = std::filesystem;

std::string readTextFile(const std::string& path)
{
    try {
        return readWholeFile(path);
    } catch (const Error& e) {
        fail("--text {}", e.what());
    }
}

CreateModelOptions demoShape(const Arguments& args, std::int64_t longest)
{
    CreateModelOptions shape;
    shape.family = args.choice("demo-family", { "bert", "roberta" }, "bert") == "roberta" ? ModelFamily::Roberta
                                                                                          : ModelFamily::Bert;
    shape.layers = args.integer("demo-layers", 1, 256).value_or(2);
    shape.hidden = args.integer("demo-hidden", 1, 65536).value_or(256);
    shape.heads = args.integer("demo-heads", 1, 1024).value_or(4);
    shape.intermediate = args.integer("demo-intermediate", 1, 1 << 20).value_or(4 * shape.hidden);
    // Checked here to name this command's flags (creating the model would name `create`'s --heads and --hidden).
    if (shape.hidden % shape.heads != 0)
        fail("profile: --demo-heads {} does not divide --demo-hidden {}", shape.heads, shape.hidden);
    shape.maxPosition = std::max<std::int64_t>(512, longest);
    shape.seed = std::uint64_t(args.integer("seed", 0, std::numeric_limits<std::int64_t>::max()).value_or(0));
    return shape;
}

// What the sweep allocates besides the model it is given, refused before anything runs when it cannot fit: the demo
// model itself (`demoParameters`), the rows --extend adds to the position table and, on the CPU, the activations of
// the largest run (a generous count of live [B, L, hidden] and [B, L, intermediate] tensors). Dense attention's
// L×L scores are checked by the sweep itself (checkDenseCpuAttentionFits).
void checkSweepFits(const ProfileSettings& settings, const ModelConfig& config, double demoParameters, bool cpu)
{
    const std::int64_t longest = longestSweepLength(settings);
    const std::int64_t batch = *std::max_element(settings.batches.begin(), settings.batches.end());
    const double hidden = double(config.hiddenSize);
    double bytes = 4.0 * demoParameters;
    if (settings.extend)
        bytes += 4.0 * double(std::max<std::int64_t>(0, longest - config.usableMaxLength())) * hidden;
    if (cpu)
        bytes += 4.0 * double(batch) * double(longest) * (8.0 * hidden + 2.0 * double(config.intermediateSize));
    requireMemory(bytes,
        fmt::format("profile: a sweep up to batch {} × {} tokens with hidden size {}{}", batch, longest,
            config.hiddenSize,
            demoParameters > 0 ? fmt::format(" (a demo model of {:.3g} parameters)", demoParameters) : ""),
        "use shorter --seq-lens, smaller --batch or a smaller model");
}

// The demo's tokenizer, from its built-in files written to a temporary folder.
std::unique_ptr<Tokenizer> demoTokenizer(ModelFamily family, std::int64_t maxLength)
{
    const fs::path folder = fs::temp_directory_path() / fmt::format("spw-profile-tokenizer-{}", ::getpid());
    fs::create_directories(folder);
    try {
        writeDemoTokenizerFiles(folder.string(), family, maxLength);
        std::unique_ptr<Tokenizer> tokenizer = Tokenizer::load(folder.string());
        fs::remove_all(folder);
        return tokenizer;
    } catch (...) {
        fs::remove_all(folder);
        throw;
    }
}

// Runs `check` and names --quality-text in what it throws: quality is what asked for the model's head, its tokenizer
// and the text.
template <typename Check> auto forQualityText(Check check)
{
    try {
        return check();
    } catch (const EnvironmentError&) {
        throw;
    } catch (const Error& e) {
        fail("profile: --quality-text: {}", e.what());
    }
}

int runProfile(const Arguments& args, std::ostream& out, std::ostream& err)
{
    const bool demo = args.has("demo");
    if (demo == !args.positional().empty())
        fail("profile: give a model folder DIR or --demo (one of them)");
    const std::string jsonPath = args.required("json");
    const auto csvPath = args.value("csv");
    checkReportPath(jsonPath, "--json");
    if (csvPath)
        checkReportPath(*csvPath, "--csv");
    std::vector<std::pair<std::string, std::string>> reports = { { "--json", jsonPath } };
    if (csvPath)
        reports.emplace_back("--csv", *csvPath);
    checkReportsOutsideInputs(args, reports);

    ProfileSettings settings;
    args.required("sparsity");
    settings.layouts = readLayouts(args.values("sparsity"));
    args.required("seq-lens");
    settings.seqLens = args.integerList("seq-lens", 1, std::numeric_limits<std::int32_t>::max());
    settings.batches = args.has("batch") ? args.integerList("batch", 1, 1 << 20) : std::vector<std::int64_t> { 1 };
    settings.repeats = int(args.integer("repeats", 1, 100000).value_or(3));
    settings.warmup = int(args.integer("warmup", 0, 100000).value_or(1));
    settings.seed = std::uint64_t(args.integer("seed", 0, std::numeric_limits<std::int64_t>::max()).value_or(0));
    settings.extend = args.has("extend");
    settings.paddingFraction = args.number("padding-fraction").value_or(0.0);
    if (!(settings.paddingFraction >= 0 && settings.paddingFraction < 1))
        fail("profile: --padding-fraction must be in [0, 1), got {}", settings.paddingFraction);
    const auto textPath = args.value("text");
    if (textPath)
        settings.text = readTextFile(*textPath);
    const auto qualityPath = args.value("quality-text");
    const std::int64_t qualityTokens = args.integer("quality-max-tokens", 1, std::numeric_limits<std::int64_t>::max())
                                           .value_or(kDefaultQualityTokens);
    if (args.has("quality-max-tokens") && !qualityPath)
        fail("profile: --quality-max-tokens needs --quality-text");
    if (qualityPath && demo)
        fail("profile: --quality-text needs a model folder with a masked-LM head (BertForMaskedLM or "
             "RobertaForMaskedLM): the in-memory demo encoder (--demo) has none");

    const LoadOptions options = deviceOptions(args, "profile", err);
    const MachineInfo machine = currentMachine(options.device);
    if (options.device.is_cpu() && isReferenceBlas(machine.blasLibrary))
        err << "profile: note: LibTorch runs on the reference BLAS (" << machine.blasLibrary
            << "); install libopenblas0-pthread for about 17x faster CPU runs\n";

    std::unique_ptr<EncoderModel> model;
    std::unique_ptr<EncoderModel> scored; // the folder's model with its head, for --quality-text
    std::unique_ptr<Tokenizer> tokenizer;
    std::string source;
    if (demo) {
        const CreateModelOptions shape = demoShape(args, longestSweepLength(settings));
        const ModelConfig config = makeNewModelConfig(shape);
        checkSweepFits(settings, config, estimatedParameterCount(config), options.device.is_cpu());
        model = makeDemoEncoder(shape, options);
        if (settings.text)
            tokenizer = demoTokenizer(shape.family, shape.maxPosition);
        source = "demo";
    } else {
        source = args.positional().front();
        std::unique_ptr<EncoderModel> loaded = EncoderModel::load(source, options);
        model = bareEncoder(*loaded, options);
        if (qualityPath)
            scored = std::move(loaded);
        checkSweepFits(settings, model->config(), 0, options.device.is_cpu());
        if (settings.text)
            tokenizer = Tokenizer::load(source);
    }

    SweepQuality quality;
    if (qualityPath) {
        // Checked before the text is read, and the text read before the sweep: a mistake costs no sweep.
        forQualityText([&] {
            requireMaskedLmHead(*scored); // before looking for a tokenizer it would not need
            if (!tokenizer)
                tokenizer = Tokenizer::load(source);
            quality.model = scored.get();
            quality.tokenizer = tokenizer.get();
            checkSweepQuality(quality, settings);
            quality.text = tokenizeEvaluationText(*qualityPath, *tokenizer, qualityTokens);
        });
    }

    auto onPoint = [&](const ProfilePoint& p) {
        err << fmt::format("profile: L={} B={} {}: dense {:.2f} ms, sparse {:.2f} ms ({:.2f}x), peak {:.1f} / {:.1f} "
                           "MiB, max |diff| {:.3g}, cosine {:.6f}\n",
            p.seqLen, p.batch, p.layout, p.dense.time.medianMs, p.sparse.time.medianMs, p.speedup, p.dense.peakMiB,
            p.sparse.peakMiB, p.maxAbsDiff, p.cosine);
        if (p.dense.quality && p.sparse.quality)
            err << fmt::format("profile: L={} {}: loss {:.4f} (dense {:.4f}), accuracy {:.4f} (dense {:.4f}) over {} "
                               "masked tokens\n",
                p.seqLen, p.layout, p.sparse.quality->loss, p.dense.quality->loss, p.sparse.quality->accuracy,
                p.dense.quality->accuracy, p.sparse.quality->tokens);
        err.flush();
    };
    const Tokenizer* inputsTokenizer = settings.text ? tokenizer.get() : nullptr;
    const std::vector<ProfilePoint> points = qualityPath
        ? runProfileSweepWithQuality(*model, settings, quality, inputsTokenizer, onPoint)
        : runProfileSweep(*model, settings, inputsTokenizer, onPoint);
    const std::string inputs = textPath ? "text:" + *textPath : "synthetic";
    nlohmann::json reportSettings = profileSettingsToJson(settings, *model, validUtf8(source), validUtf8(inputs));
    if (qualityPath) {
        nlohmann::json& json = reportSettings["quality"] = sweepQualityToJson(quality, settings);
        json["text"] = validUtf8(*qualityPath);
        json["max_tokens"] = qualityTokens;
    }
    const nlohmann::json report = profileToJson(machine, reportSettings, points);
    writeReportFile(jsonPath, report.dump(2) + "\n", "--json");
    if (csvPath)
        writeReportFile(*csvPath, profileToCsv(points), "--csv");
    out << report.dump() << '\n';
    return 0;
}

} // namespace

Command profileCommand()
{
    CommandSpec spec {
        "profile",
        "Time dense against block-sparse attention over lengths, batch sizes and layouts; peak memory and drift",
        "[DIR]",
        0,
        1,
        {
            { "demo", "", "profile an in-memory random BERT instead of a model folder (no download)" },
            { "sparsity", "CONFIG.json", "sparsity configuration, one result each", true },
            { "seq-lens", "L1,L2,...", "sequence lengths in tokens" },
            { "batch", "B1,B2,...", "batch sizes (default 1)" },
            { "device", "cpu|cuda", "where to compute (default cpu)" },
            { "dtype", "float32|float16|bfloat16", "compute dtype on CUDA (CPU always computes in float32)" },
            { "repeats", "N", "timed forward passes per run (default 3)" },
            { "warmup", "N", "untimed forward passes before them (default 1)" },
            { "extend", "", "extend the position table when a length exceeds the model's maximum" },
            { "padding-fraction", "F", "share of each row that is padding, in [0, 1) (default 0)" },
            { "text", "FILE", "inputs from this text through the model's tokenizer, repeated to each length" },
            { "quality-text", "PATH",
                "also score masked-LM loss, perplexity and accuracy of dense and each layout at each length on this "
                "text file or folder of .txt files (a model folder with a masked-LM head)" },
            { "quality-max-tokens", "T",
                fmt::format("use only the first T tokens of the quality text (default {})", kDefaultQualityTokens) },
            { "seed", "S", "seed of the synthetic inputs, the random layout blocks and the demo weights (default 0)" },
            { "json", "OUT.json", "where to write the results (required)" },
            { "csv", "OUT.csv", "also write the results as CSV, one line per result" },
            { "demo-family", "bert|roberta", "demo model family (default bert)" },
            { "demo-layers", "N", "demo model layers (default 2)" },
            { "demo-hidden", "H", "demo model hidden size (default 256)" },
            { "demo-heads", "N", "demo model attention heads (default 4)" },
            { "demo-intermediate", "N", "demo model feed-forward size (default 4 x hidden)" },
        },
    };
    return { spec, runProfile };
}

} // namespace spw::cli
