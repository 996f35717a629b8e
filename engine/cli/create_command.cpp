#include "cli/commands.h"

#include "common/available_memory.h"
#include "common/utf8_text.h"
#include "model/create_model.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ostream>

namespace spw::cli {

Command createCommand()
{
    CommandSpec spec {
        "create",
        "Write a new randomly initialised BERT/RoBERTa masked-LM model folder (HuggingFace layout)",
        "",
        0,
        0,
        {
            { "out", "DIR", "folder to create (must not exist, or be empty)" },
            { "type", "bert|roberta", "model family (default bert: BertForMaskedLM; roberta: RobertaForMaskedLM)" },
            { "layers", "N", "encoder layers (default 12)" },
            { "hidden", "H", "hidden size (default 768)" },
            { "heads", "A", "attention heads, dividing --hidden (default 12)" },
            { "intermediate", "I", "feed-forward size (default 3072)" },
            { "max-position", "P", "longest input in tokens (default 512; RoBERTa's table gets P+2 rows)" },
            { "vocab", "V", "vocabulary size (default 30522 BERT, 50265 RoBERTa)" },
            { "seed", "S", "seed of the random weights (default 0)" },
        },
    };
    return { spec, [](const Arguments& args, std::ostream& out, std::ostream&) {
                CreateModelOptions options;
                options.family = args.choice("type", { "bert", "roberta" }, "bert") == "roberta" ? ModelFamily::Roberta
                                                                                                 : ModelFamily::Bert;
                const std::string directory = args.required("out");
                options.layers = args.integer("layers", 1, 1024).value_or(options.layers);
                options.hidden = args.integer("hidden", 1, 1 << 16).value_or(options.hidden);
                options.heads = args.integer("heads", 1, 1024).value_or(options.heads);
                options.intermediate = args.integer("intermediate", 1, 1 << 18).value_or(options.intermediate);
                options.maxPosition = args.integer("max-position", 1, 1 << 20).value_or(options.maxPosition);
                options.vocab = args.integer("vocab", 1, 1 << 24).value_or(0);
                options.seed = std::uint64_t(args.integer("seed", 0, INT64_MAX).value_or(0));
                const ModelConfig config = makeNewModelConfig(options);
                const double parameters = estimatedParameterCount(config);
                requireMemory(4.0 * parameters,
                    fmt::format("create: a model of {:.3g} float32 parameters (--layers {}, --hidden {}, "
                                "--intermediate {}, --max-position {}, --vocab {})",
                        parameters, options.layers, options.hidden, options.intermediate, options.maxPosition,
                        config.vocabSize),
                    "choose smaller sizes");
                createModelFolder(directory, options);
                out << nlohmann::json { { "created", validUtf8(directory) },
                    { "architecture", config.architectures.front() },
                    { "max_position_embeddings", config.maxPositionEmbeddings } }
                           .dump(2)
                    << '\n';
                return 0;
            } };
}

} // namespace spw::cli
