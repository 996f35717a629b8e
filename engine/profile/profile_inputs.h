#pragma once
// The inputs a profile feeds the model (ProfileSettings: synthetic ids or repeated text, with a padding fraction).
#include "model/encoder_model.h"
#include "profile/profile_types.h"

#include <cstdint>

namespace spw {

class Tokenizer;

// [batch, seqLen] input_ids and attention_mask (the mask only when some token is padding), on the CPU.
// Text rows need `tokenizer`; throws spw::Error when it is missing or the text gives no tokens.
ModelInputs makeProfileInputs(const ProfileSettings& settings, const ModelConfig& model, const Tokenizer* tokenizer,
                              std::int64_t seqLen, std::int64_t batch);

} // namespace spw
