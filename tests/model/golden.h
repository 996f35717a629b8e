#pragma once
// Shared helpers for the model tests: the transformers fixtures (tests/fixtures/make_model_fixtures.py).
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "model/encoder_model.h"

#include <map>
#include <string>

namespace spw::test {

inline std::string modelFixture(const std::string& name)
{
    return std::string(SPW_FIXTURES_DIR) + "/models/" + name;
}

inline ModelInputs fixtureInputs(const std::string& name)
{
    auto tensors = loadSafetensors(modelFixture(name) + "/inputs.safetensors");
    ModelInputs inputs;
    inputs.inputIds = tensors.at("input_ids");
    inputs.attentionMask = tensors.at("attention_mask");
    if (tensors.count("token_type_ids"))
        inputs.tokenTypeIds = tensors.at("token_type_ids");
    return inputs;
}

inline std::map<std::string, at::Tensor> fixtureExpected(const std::string& name)
{
    return loadSafetensors(modelFixture(name) + "/expected.safetensors");
}

inline double maxAbsDifference(const at::Tensor& a, const at::Tensor& b)
{
    return (a.to(at::kFloat).cpu() - b.to(at::kFloat).cpu()).abs().max().item<double>();
}

} // namespace spw::test
