#pragma once
// The six HuggingFace architectures the engine runs (design.md §5), and what each adds to the encoder.
#include "io/model_config.h"
#include "model/model_family.h"

#include <string>

namespace spw {

enum class Architecture {
    BertModel,
    BertForMaskedLM,
    BertForSequenceClassification,
    RobertaModel,
    RobertaForMaskedLM,
    RobertaForSequenceClassification,
};

enum class ModelHead { None, MaskedLM, SequenceClassification };

const char* architectureName(Architecture architecture);
ModelFamily architectureFamily(Architecture architecture);
ModelHead architectureHead(Architecture architecture);
// "bert." or "roberta.": the prefix transformers gives the encoder's tensors inside a model with a head.
const char* familyPrefix(ModelFamily family);

// The config's first "architectures" entry (or the family's bare encoder when none is given). Throws spw::Error
// naming an unsupported architecture, or one that does not match model_type.
Architecture architectureOf(const ModelConfig& config);

} // namespace spw
