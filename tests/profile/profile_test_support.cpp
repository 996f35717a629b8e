#include "profile_test_support.h"

#include "model/create_model.h"
#include "profile/profile_model.h"

namespace spw::test {

std::unique_ptr<EncoderModel> tinyEncoder(std::int64_t maxPosition)
{
    CreateModelOptions shape;
    shape.layers = 2;
    shape.hidden = 32;
    shape.heads = 2;
    shape.intermediate = 64;
    shape.maxPosition = maxPosition;
    shape.seed = 7;
    return makeDemoEncoder(shape, LoadOptions {});
}

ProfileLayout denseLayout(int block)
{
    SparsityConfig config = defaultsFor(SparsityMode::Dense);
    config.block = block;
    return { "dense", config };
}

ProfileLayout longformerLayout(int block)
{
    SparsityConfig config = defaultsFor(SparsityMode::BSLongformer);
    config.block = block;
    return { "bslongformer", config };
}

ProfileSettings smallSweep()
{
    ProfileSettings settings;
    settings.seqLens = { 64, 128 };
    settings.batches = { 1, 2 };
    settings.layouts = { denseLayout(), longformerLayout() };
    settings.warmup = 1;
    settings.repeats = 2;
    return settings;
}

} // namespace spw::test
