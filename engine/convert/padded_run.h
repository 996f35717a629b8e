#pragma once
// Running a converted model on inputs of any length (DeepSpeed's pad_to_block_size → forward →
// unpad_sequence_output). Block-sparse layers need a length that is a multiple of their block, so when any layer
// is sparse the inputs are padded on the right (engine/convert/padding.h) and the sequence outputs cut back:
//   - position ids are computed from the UNPADDED input_ids first (BERT 0..L-1; RoBERTa
//     cumsum(ids != pad) * (ids != pad) + pad_token_id), then padded with pad_token_id, as DeepSpeed does;
//   - a missing attention_mask becomes all ones before padding, so that the pad tokens are never attended to and
//     the real tokens' outputs are those of the unpadded input;
//   - last_hidden_state and masked-LM logits are cut back to the input's length; the pooler output and
//     classification logits (one row per sequence) are returned as they are.
// A dense model runs its plain forward.
#include "model/encoder_model.h"

#include <cstdint>

namespace spw {

// The length sparse layers need inputs to be a multiple of (the least common multiple of their blocks); 1 when
// no layer is sparse.
std::int64_t paddingMultiple(const EncoderModel& model);

// Throws spw::Error naming input_ids when the input is longer than the model's maximum length.
ModelOutputs runPadded(const EncoderModel& model, const ModelInputs& inputs);

} // namespace spw
