#pragma once
// Small models and settings shared by the profile tests.
#include "model/encoder_model.h"
#include "profile/profile_types.h"

#include <memory>

namespace spw::test {

// A randomly initialised bare BERT encoder on the CPU: 2 layers, hidden 32, 2 heads, `maxPosition` positions.
std::unique_ptr<EncoderModel> tinyEncoder(std::int64_t maxPosition = 512);

ProfileLayout denseLayout(int block = 16);
ProfileLayout longformerLayout(int block = 16);

// Lengths 64 and 128, batches 1 and 2, dense and bslongformer-16; one warm-up and two repeats.
ProfileSettings smallSweep();

} // namespace spw::test
