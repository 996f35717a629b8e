#pragma once
// The building blocks of the encoder, as plain tensors over ATen (weights in HuggingFace's layout:
// Linear weight [out, in]).
#include <ATen/ATen.h>

#include <string>

namespace spw {

struct LinearLayer {
    at::Tensor weight; // [out, in]
    at::Tensor bias; // [out]
    at::Tensor operator()(const at::Tensor& x) const { return at::linear(x, weight, bias); }
};

struct LayerNormLayer {
    at::Tensor weight;
    at::Tensor bias;
    double eps = 1e-12;
    at::Tensor operator()(const at::Tensor& x) const
    {
        return at::layer_norm(x, { weight.size(0) }, weight, bias, eps);
    }
};

// transformers' ACT2FN for the names config.json may hold: "gelu" is the exact erf form, "gelu_new" and
// "gelu_pytorch_tanh" the tanh approximation, "relu".
inline at::Tensor applyActivation(const at::Tensor& x, const std::string& name)
{
    if (name == "relu")
        return at::relu(x);
    if (name == "gelu_new" || name == "gelu_pytorch_tanh")
        return at::gelu(x, "tanh");
    return at::gelu(x);
}

} // namespace spw
