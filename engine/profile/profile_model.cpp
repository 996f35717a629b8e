#include "profile/profile_model.h"

#include "common/error.h"
#include "convert/model_conversion.h"

#include <algorithm>

namespace spw {

namespace {

// `model`'s weights under `config` (which names the architecture to build), from the same folder.
std::unique_ptr<EncoderModel> copyAs(const EncoderModel& model, const ModelConfig& config, const LoadOptions& options)
{
    std::map<std::string, at::Tensor> tensors;
    for (const auto& [name, tensor] : model.namedParameters())
        tensors[name] = tensor;
    std::unique_ptr<EncoderModel> copy = EncoderModel::fromTensors(config, tensors, options, "the model");
    copy->setSourceDirectory(model.sourceDirectory());
    return copy;
}

} // namespace

LoadOptions placementOf(const EncoderModel& model)
{
    LoadOptions options;
    options.device = model.device();
    options.dtype = model.computeDtype();
    return options;
}

std::unique_ptr<EncoderModel> bareEncoder(const EncoderModel& model, const LoadOptions& options)
{
    ModelConfig config = model.config();
    const char* bare = model.family() == ModelFamily::Roberta ? "RobertaModel" : "BertModel";
    config.architectures = { bare };
    config.original["architectures"] = { bare };
    return copyAs(model, config, options);
}

std::unique_ptr<EncoderModel> denseCopy(const EncoderModel& model, const LoadOptions& options)
{
    return copyAs(model, model.config(), options);
}

std::unique_ptr<EncoderModel> makeDemoEncoder(const CreateModelOptions& shape, const LoadOptions& options)
{
    std::unique_ptr<EncoderModel> model = EncoderModel::randomlyInitialized(makeNewModelConfig(shape), shape.seed);
    return bareEncoder(*model, options);
}

std::int64_t longestSweepLength(const ProfileSettings& settings)
{
    std::int64_t longest = 0;
    for (std::int64_t length : settings.seqLens) {
        longest = std::max(longest, length);
        for (const ProfileLayout& layout : settings.layouts) {
            const std::int64_t block = std::max(1, layout.config.block);
            longest = std::max(longest, (length + block - 1) / block * block);
        }
    }
    return longest;
}

void fitModelToSweep(EncoderModel& model, const ProfileSettings& settings)
{
    const std::int64_t longest = longestSweepLength(settings);
    const std::int64_t usable = model.config().usableMaxLength();
    if (longest <= usable)
        return;
    if (!settings.extend)
        fail("profile: length {} (--seq-lens, padded to the block) exceeds the model's maximum of {} positions: "
             "convert the model to a longer maximum length first, or pass --extend",
            longest, usable);
    extendPositionEmbedding(model, longest);
}

} // namespace spw
