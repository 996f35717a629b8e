#include "cli/commands.h"

#include "common/dtype_names.h"
#include "common/error.h"
#include "common/file_reading.h"
#include "common/folder_containment.h"
#include "model/encoder_model.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <ostream>

namespace spw::cli {
namespace {
namespace fs = std::filesystem;

nlohmann::json readJsonOrNull(const fs::path& dir, const std::string& name)
{
    const fs::path path = dir / name;
    if (!fs::exists(path))
        return nullptr;
    requireInsideFolder(dir, path);
    return readJsonFile(path.string());
}

// The tokenizer the folder ships: tokenizer.json's model type when present, else which vocabulary files exist
// (vocab.txt: WordPiece; vocab.json + merges.txt: byte-level BPE).
nlohmann::json tokenizerSummary(const fs::path& dir)
{
    nlohmann::json kind = nullptr;
    nlohmann::json tokenizerJson = readJsonOrNull(dir, "tokenizer.json");
    if (tokenizerJson.is_object() && tokenizerJson.contains("model") && tokenizerJson["model"].is_object()) {
        std::string type = tokenizerJson["model"].value("type", "");
        if (type == "WordPiece")
            kind = "wordpiece";
        else if (type == "BPE")
            kind = "bpe";
    }
    if (kind.is_null() && fs::exists(dir / "vocab.txt"))
        kind = "wordpiece";
    if (kind.is_null() && fs::exists(dir / "vocab.json") && fs::exists(dir / "merges.txt"))
        kind = "bpe";
    nlohmann::json maxLength = nullptr;
    nlohmann::json tokenizerConfig = readJsonOrNull(dir, "tokenizer_config.json");
    if (tokenizerConfig.is_object() && tokenizerConfig.contains("model_max_length")
        && tokenizerConfig["model_max_length"].is_number())
        maxLength = tokenizerConfig["model_max_length"];
    return { { "kind", kind }, { "model_max_length", maxLength } };
}

const char* headName(ModelHead head)
{
    switch (head) {
    case ModelHead::MaskedLM:
        return "masked_lm";
    case ModelHead::SequenceClassification:
        return "sequence_classification";
    default:
        return "none";
    }
}

} // namespace

Command inspectCommand()
{
    CommandSpec spec { "inspect", "Describe a HuggingFace BERT/RoBERTa folder as JSON (loads and checks its weights)",
        "DIR", 1, 1, {} };
    return { spec, [](const Arguments& args, std::ostream& out, std::ostream&) {
                const std::string directory = args.positional().front();
                std::unique_ptr<EncoderModel> model = EncoderModel::load(directory);
                const ModelConfig& config = model->config();
                nlohmann::json json = {
                    { "model_type", config.modelType },
                    { "architecture", architectureName(model->architecture()) },
                    { "num_hidden_layers", config.numHiddenLayers },
                    { "num_attention_heads", config.numAttentionHeads },
                    { "hidden_size", config.hiddenSize },
                    { "intermediate_size", config.intermediateSize },
                    { "vocab_size", config.vocabSize },
                    { "max_position_embeddings", config.maxPositionEmbeddings },
                    { "hidden_act", config.hiddenAct },
                    { "parameters", model->parameterCount() },
                    { "dtype", dtypeName(model->sourceDtype()) },
                    { "pooler", model->hasPooler() },
                    { "head", headName(model->head()) },
                    { "tokenizer", tokenizerSummary(directory) },
                };
                if (model->head() == ModelHead::SequenceClassification)
                    json["num_labels"] = config.numLabels;
                if (config.original.contains("sparse_attention"))
                    json["sparse_attention"] = config.original["sparse_attention"];
                out << json.dump(2) << '\n';
                return 0;
            } };
}

} // namespace spw::cli
