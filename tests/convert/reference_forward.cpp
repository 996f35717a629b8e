#include "convert/reference_forward.h"

#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace spw::test {

ReferenceModel loadReferenceModel(const std::string& directory)
{
    std::ifstream in(directory + "/config.json");
    const nlohmann::json config = nlohmann::json::parse(in);
    ReferenceModel model;
    model.roberta = config.at("model_type") == "roberta";
    model.prefix = model.roberta ? "roberta." : "bert.";
    model.layers = config.at("num_hidden_layers").get<int>();
    model.heads = config.at("num_attention_heads").get<int>();
    model.padTokenId = config.at("pad_token_id").get<std::int64_t>();
    model.eps = config.at("layer_norm_eps").get<double>();
    model.hiddenAct = config.at("hidden_act").get<std::string>();
    for (auto& [name, tensor] : loadSafetensors(directory + "/model.safetensors"))
        model.tensors[name] = tensor.to(at::kFloat);
    return model;
}

namespace {

at::Tensor activation(const at::Tensor& x, const std::string& name)
{
    if (name == "gelu_pytorch_tanh" || name == "gelu_new") {
        const double c = std::sqrt(2.0 / M_PI);
        return 0.5 * x * (1.0 + at::tanh(c * (x + 0.044715 * x * x * x)));
    }
    return 0.5 * x * (1.0 + at::erf(x / std::sqrt(2.0)));
}

} // namespace

ReferenceOutputs referenceForward(const ReferenceModel& model, const at::Tensor& inputIds,
    const at::Tensor& attentionMask, const std::optional<at::Tensor>& tokenTypeIds,
    const std::vector<at::Tensor>& allowed, const at::Tensor& positionTable)
{
    auto t = [&](const std::string& name) -> const at::Tensor& {
        auto it = model.tensors.find(name);
        if (it == model.tensors.end())
            throw std::runtime_error("reference: missing " + name);
        return it->second;
    };
    auto linear = [&](const at::Tensor& x, const std::string& name) {
        return at::matmul(x, t(name + ".weight").t()) + t(name + ".bias");
    };
    auto norm = [&](const at::Tensor& x, const std::string& name) {
        at::Tensor mean = x.mean(-1, true);
        at::Tensor var = (x - mean).pow(2).mean(-1, true);
        return (x - mean) / at::sqrt(var + model.eps) * t(name + ".weight") + t(name + ".bias");
    };
    const std::string& p = model.prefix;
    const std::int64_t batch = inputIds.size(0);
    const std::int64_t length = inputIds.size(1);

    at::Tensor positions;
    if (model.roberta) {
        at::Tensor notPad = inputIds.ne(model.padTokenId).to(at::kLong);
        positions = at::cumsum(notPad, 1) * notPad + model.padTokenId;
    } else {
        positions = at::arange(length, at::kLong).unsqueeze(0).expand({ batch, length });
    }
    const at::Tensor table
        = positionTable.defined() ? positionTable.to(at::kFloat) : t(p + "embeddings.position_embeddings.weight");
    at::Tensor types = tokenTypeIds ? *tokenTypeIds : at::zeros_like(inputIds);
    at::Tensor x = t(p + "embeddings.word_embeddings.weight").index_select(0, inputIds.reshape(-1))
        + t(p + "embeddings.token_type_embeddings.weight").index_select(0, types.reshape(-1))
        + table.index_select(0, positions.reshape(-1));
    x = norm(x.view({ batch, length, -1 }), p + "embeddings.LayerNorm");

    const std::int64_t hidden = x.size(2);
    const std::int64_t headDim = hidden / model.heads;
    const float minimum = std::numeric_limits<float>::lowest();
    at::Tensor padding = ((1.0 - attentionMask.to(at::kFloat)) * minimum).view({ batch, 1, 1, length });
    for (int layer = 0; layer < model.layers; ++layer) {
        const std::string base = p + "encoder.layer." + std::to_string(layer) + ".";
        auto split = [&](const at::Tensor& y) {
            return y.view({ batch, length, model.heads, headDim }).permute({ 0, 2, 1, 3 });
        };
        at::Tensor q = split(linear(x, base + "attention.self.query"));
        at::Tensor k = split(linear(x, base + "attention.self.key"));
        at::Tensor v = split(linear(x, base + "attention.self.value"));
        at::Tensor scores = at::matmul(q, k.transpose(-1, -2)) / std::sqrt(double(headDim)) + padding;
        if (layer < int(allowed.size()) && allowed[std::size_t(layer)].defined())
            // The lowest finite value rather than -inf: rows of padding queries may have every entry excluded, and
            // must stay finite (their values feed later layers, where a 0 weight times NaN would spread).
            scores = scores.masked_fill(allowed[std::size_t(layer)].unsqueeze(0).eq(0), minimum);
        at::Tensor weights = at::exp(scores - std::get<0>(scores.max(-1, true)));
        weights = weights / weights.sum(-1, true);
        at::Tensor context = at::matmul(weights, v).permute({ 0, 2, 1, 3 }).reshape({ batch, length, hidden });
        x = norm(linear(context, base + "attention.output.dense") + x, base + "attention.output.LayerNorm");
        at::Tensor inner = activation(linear(x, base + "intermediate.dense"), model.hiddenAct);
        x = norm(linear(inner, base + "output.dense") + x, base + "output.LayerNorm");
    }
    ReferenceOutputs outputs;
    outputs.lastHiddenState = x;
    const at::Tensor& decoder = t(p + "embeddings.word_embeddings.weight");
    if (model.roberta) {
        at::Tensor h = norm(activation(linear(x, "lm_head.dense"), "gelu"), "lm_head.layer_norm");
        outputs.logits = at::matmul(h, decoder.t()) + t("lm_head.bias");
    } else {
        at::Tensor h = activation(linear(x, "cls.predictions.transform.dense"), model.hiddenAct);
        h = norm(h, "cls.predictions.transform.LayerNorm");
        outputs.logits = at::matmul(h, decoder.t()) + t("cls.predictions.bias");
    }
    return outputs;
}

} // namespace spw::test
