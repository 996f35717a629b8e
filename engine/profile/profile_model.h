#pragma once
// Getting a model ready for a profile sweep: the bare encoder (a masked-LM head's
// [L, vocab] logits would cost the same dense or sparse and hide the attention), on the device and dtype asked,
// with a position table long enough for the sweep.
#include "model/create_model.h"
#include "model/encoder_model.h"
#include "profile/profile_types.h"

#include <cstdint>
#include <memory>

namespace spw {

// `model`'s device and compute dtype, for a copy that runs where it does.
LoadOptions placementOf(const EncoderModel& model);

// The same weights as `model`'s encoder (the pooler too, when it has one), as a BertModel / RobertaModel on
// options.device in options.dtype (CPU computes in float32).
std::unique_ptr<EncoderModel> bareEncoder(const EncoderModel& model, const LoadOptions& options);

// The same weights as `model`, with its head, as the same architecture, on options.device in options.dtype, and
// dense attention in every layer (a converted model's sparse layers are not carried over): the reference a
// masked-LM evaluation of the sweep's layouts starts from (profile_quality.h).
std::unique_ptr<EncoderModel> denseCopy(const EncoderModel& model, const LoadOptions& options);

// A randomly initialised bare encoder of the given shape (no download, no files), for `profile --demo`.
std::unique_ptr<EncoderModel> makeDemoEncoder(const CreateModelOptions& shape, const LoadOptions& options);

// The longest length the sweep runs: every sequence length rounded up to each layout's block.
std::int64_t longestSweepLength(const ProfileSettings& settings);

// Throws spw::Error when the sweep needs more positions than the model has and settings.extend is false (saying
// to convert first or to extend); with extend, lengthens the position table through conversion's
// extendPositionEmbedding (engine/convert/model_conversion.h).
void fitModelToSweep(EncoderModel& model, const ProfileSettings& settings);

} // namespace spw
