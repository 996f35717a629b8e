#include "model/create_model.h"

#include "common/error.h"
#include "io/safetensors.h"
#include "model/encoder_model.h"
#include "tokenizer/demo_tokenizer.h"

#include <filesystem>
#include <random>

namespace spw {
namespace fs = std::filesystem;

ModelConfig makeNewModelConfig(const CreateModelOptions& options)
{
    const bool roberta = options.family == ModelFamily::Roberta;
    const std::int64_t padTokenId = roberta ? 1 : 0;
    const std::int64_t vocab = options.vocab > 0 ? options.vocab : (roberta ? 50265 : 30522);
    if (options.layers < 1)
        fail("--layers must be at least 1");
    if (options.hidden < 1 || options.heads < 1 || options.intermediate < 1 || options.maxPosition < 1)
        fail("--hidden, --heads, --intermediate and --max-position must be positive");
    if (options.hidden % options.heads != 0)
        fail("--heads {} does not divide --hidden {}", options.heads, options.hidden);
    if (vocab < demoVocabularySize(options.family))
        fail("--vocab {} is smaller than the demo tokenizer's {} entries", vocab, demoVocabularySize(options.family));

    // The keys transformers 5.17 writes for a fresh BertForMaskedLM / RobertaForMaskedLM.
    nlohmann::json json = {
        { "add_cross_attention", false },
        { "architectures", { roberta ? "RobertaForMaskedLM" : "BertForMaskedLM" } },
        { "attention_probs_dropout_prob", 0.1 },
        { "bos_token_id", roberta ? nlohmann::json(0) : nlohmann::json(nullptr) },
        { "classifier_dropout", nullptr },
        { "dtype", "float32" },
        { "eos_token_id", roberta ? nlohmann::json(2) : nlohmann::json(nullptr) },
        { "hidden_act", "gelu" },
        { "hidden_dropout_prob", 0.1 },
        { "hidden_size", options.hidden },
        { "initializer_range", 0.02 },
        { "intermediate_size", options.intermediate },
        { "is_decoder", false },
        { "layer_norm_eps", 1e-12 },
        { "max_position_embeddings", options.maxPosition + reservedPositionRows(options.family, padTokenId) },
        { "model_type", roberta ? "roberta" : "bert" },
        { "num_attention_heads", options.heads },
        { "num_hidden_layers", options.layers },
        { "pad_token_id", padTokenId },
        { "tie_word_embeddings", true },
        { "transformers_version", "5.17.0" },
        { "type_vocab_size", roberta ? 1 : 2 },
        { "use_cache", true },
        { "vocab_size", vocab },
    };
    return modelConfigFromJson(json, "config.json");
}

void createModelFolder(const std::string& directory, const CreateModelOptions& options)
{
    fs::path target(directory);
    if (fs::exists(target) && !(fs::is_directory(target) && fs::is_empty(target)))
        fail("--out {}: already exists and is not an empty folder", directory);
    ModelConfig config = makeNewModelConfig(options);
    std::unique_ptr<EncoderModel> model = EncoderModel::randomlyInitialized(config, options.seed, 0.02);

    fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(parent))
        fail("--out {}: parent folder {} does not exist", directory, parent.string());
    fs::path temporary = parent / fmt::format(".{}.tmp-{}", target.filename().string(), std::random_device {}());
    try {
        fs::create_directory(temporary);
        saveModelConfig(config, (temporary / "config.json").string());
        std::map<std::string, at::Tensor> tensors;
        for (const auto& [name, tensor] : model->namedParameters())
            tensors[name] = tensor;
        saveSafetensors((temporary / "model.safetensors").string(), tensors);
        writeDemoTokenizerFiles(temporary.string(), options.family, options.maxPosition);
        if (fs::exists(target))
            fs::remove(target); // the empty folder checked above
        fs::rename(temporary, target);
    } catch (const fs::filesystem_error& e) {
        std::error_code ignored;
        fs::remove_all(temporary, ignored);
        fail("--out {}: {}", directory, e.what());
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(temporary, ignored);
        throw;
    }
}

} // namespace spw
