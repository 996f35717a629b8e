#include "model/architecture.h"

#include "common/error.h"

#include <array>
#include <utility>

namespace spw {
namespace {

constexpr std::array<std::pair<Architecture, const char*>, 6> kNames = { {
    { Architecture::BertModel, "BertModel" },
    { Architecture::BertForMaskedLM, "BertForMaskedLM" },
    { Architecture::BertForSequenceClassification, "BertForSequenceClassification" },
    { Architecture::RobertaModel, "RobertaModel" },
    { Architecture::RobertaForMaskedLM, "RobertaForMaskedLM" },
    { Architecture::RobertaForSequenceClassification, "RobertaForSequenceClassification" },
} };

} // namespace

const char* architectureName(Architecture architecture)
{
    for (const auto& [value, name] : kNames)
        if (value == architecture)
            return name;
    return "unknown";
}

ModelFamily architectureFamily(Architecture architecture)
{
    switch (architecture) {
    case Architecture::RobertaModel:
    case Architecture::RobertaForMaskedLM:
    case Architecture::RobertaForSequenceClassification:
        return ModelFamily::Roberta;
    default:
        return ModelFamily::Bert;
    }
}

ModelHead architectureHead(Architecture architecture)
{
    switch (architecture) {
    case Architecture::BertForMaskedLM:
    case Architecture::RobertaForMaskedLM:
        return ModelHead::MaskedLM;
    case Architecture::BertForSequenceClassification:
    case Architecture::RobertaForSequenceClassification:
        return ModelHead::SequenceClassification;
    default:
        return ModelHead::None;
    }
}

const char* familyPrefix(ModelFamily family)
{
    return family == ModelFamily::Roberta ? "roberta." : "bert.";
}

Architecture architectureOf(const ModelConfig& config)
{
    if (config.architectures.empty())
        return config.family() == ModelFamily::Roberta ? Architecture::RobertaModel : Architecture::BertModel;
    const std::string& wanted = config.architectures.front();
    for (const auto& [value, name] : kNames) {
        if (wanted != name)
            continue;
        if (architectureFamily(value) != config.family())
            fail("config.json: architecture {} does not match model_type '{}'", wanted, config.modelType);
        return value;
    }
    fail("config.json: architecture '{}' is not supported (BertModel, BertForMaskedLM, "
         "BertForSequenceClassification, RobertaModel, RobertaForMaskedLM, RobertaForSequenceClassification)",
        wanted);
}

} // namespace spw
