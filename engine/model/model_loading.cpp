// EncoderModel's factories: from a checkpoint folder, from tensors in memory, or randomly initialised.
#include "model/encoder_model.h"

#include "common/error.h"
#include "io/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

namespace spw {

std::unique_ptr<EncoderModel> EncoderModel::fromTensors(const ModelConfig& config,
    const std::map<std::string, at::Tensor>& tensors, const LoadOptions& options, const std::string& source)
{
    std::unique_ptr<EncoderModel> model(new EncoderModel);
    model->m_config = config;
    model->m_architecture = architectureOf(config);
    model->m_device = options.device;
    model->m_computeDtype = options.device.is_cpu() ? at::kFloat : options.dtype;

    // transformers accepts the encoder's tensors with or without the "bert."/"roberta." prefix; keep whichever
    // convention the checkpoint used, so that an export writes the same names back.
    const std::string prefix = familyPrefix(config.family());
    bool prefixed = std::any_of(
        tensors.begin(), tensors.end(), [&](const auto& entry) { return entry.first.rfind(prefix, 0) == 0; });
    model->m_basePrefix = prefixed ? prefix : "";
    model->m_withPooler = model->m_architecture == Architecture::BertForSequenceClassification
        || tensors.count(model->m_basePrefix + "pooler.dense.weight") > 0;
    model->m_tiedDecoder = model->head() == ModelHead::MaskedLM && config.tieWordEmbeddings;

    bool sourceDtypeSet = false;
    model->forEachParameter([&](const ParameterSpec& spec, at::Tensor& slot) {
        auto found = tensors.find(spec.name);
        for (auto alias = spec.aliases.begin(); found == tensors.end() && alias != spec.aliases.end(); ++alias)
            found = tensors.find(*alias);
        if (found == tensors.end())
            fail("{}: missing tensor '{}' (needed by {})", source, spec.name, architectureName(model->m_architecture));
        const at::Tensor& stored = found->second;
        if (stored.sizes() != at::IntArrayRef(spec.shape))
            fail("{}: tensor '{}' has shape [{}] but config.json implies [{}]", source, found->first,
                fmt::join(stored.sizes(), ", "), fmt::join(spec.shape, ", "));
        if (!at::isFloatingType(stored.scalar_type()))
            fail("{}: tensor '{}' has dtype {}, not a floating-point type", source, found->first,
                c10::toString(stored.scalar_type()));
        if (!sourceDtypeSet) {
            model->m_sourceDtype = stored.scalar_type();
            sourceDtypeSet = true;
        }
        slot = stored.to(model->m_device, model->m_computeDtype).contiguous();
    });
    return model;
}

std::unique_ptr<EncoderModel> EncoderModel::load(
    const std::string& directory, const LoadOptions& options, const ProgressCallback& progress)
{
    ModelConfig config = loadModelConfig(directory);
    architectureOf(config); // an unsupported architecture fails before the weights are read
    ProgressCallback reading;
    if (progress)
        reading = [&](float fraction) { return progress(0.9f * fraction); };
    std::map<std::string, at::Tensor> tensors = loadCheckpointTensors(directory, reading);
    namespace fs = std::filesystem;
    fs::path single = fs::path(directory) / "model.safetensors";
    std::string source
        = fs::exists(single) ? single.string() : (fs::path(directory) / "model.safetensors.index.json").string();
    std::unique_ptr<EncoderModel> model = fromTensors(config, tensors, options, source);
    model->m_sourceDirectory = directory;
    reportProgress(progress, 1.0f);
    return model;
}

std::unique_ptr<EncoderModel> EncoderModel::randomlyInitialized(
    const ModelConfig& config, std::uint64_t seed, double initializerRange)
{
    std::unique_ptr<EncoderModel> model(new EncoderModel);
    model->m_config = config;
    model->m_architecture = architectureOf(config);
    const ModelHead head = model->head();
    // transformers' layout: bare encoders keep unprefixed names and a pooler; models with a head prefix the
    // encoder, and only BertForSequenceClassification among them has a pooler.
    model->m_basePrefix = head == ModelHead::None ? "" : familyPrefix(config.family());
    model->m_withPooler
        = head == ModelHead::None || model->m_architecture == Architecture::BertForSequenceClassification;
    model->m_tiedDecoder = head == ModelHead::MaskedLM && config.tieWordEmbeddings;
    at::Generator generator = at::detail::createCPUGenerator(seed);
    model->forEachParameter([&](const ParameterSpec& spec, at::Tensor& slot) {
        switch (spec.init) {
        case ParameterInit::Normal:
            slot = at::normal(0.0, initializerRange, spec.shape, generator);
            break;
        case ParameterInit::Zeros:
            slot = at::zeros(spec.shape);
            break;
        case ParameterInit::Ones:
            slot = at::ones(spec.shape);
            break;
        }
    });
    // nn.Embedding(padding_idx=pad_token_id) starts with the padding row at zero.
    model->m_wordEmbeddings[config.padTokenId].zero_();
    return model;
}

} // namespace spw
