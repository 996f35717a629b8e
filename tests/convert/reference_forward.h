#pragma once
// An independent BERT/RoBERTa masked-LM forward for the conversion tests, written from transformers' modeling code
// straight over a checkpoint's tensors (by their HuggingFace names): attention is an explicit softmax over a
// token-level mask, so a block-sparse layout can be checked as "dense attention with the layout's excluded entries
// removed". It shares no code with engine/model.
#include <ATen/ATen.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spw::test {

struct ReferenceModel {
    std::map<std::string, at::Tensor> tensors; // float32
    std::string prefix; // "bert." / "roberta."
    bool roberta = false;
    int layers = 0;
    int heads = 0;
    std::int64_t padTokenId = 0;
    double eps = 1e-12;
    std::string hiddenAct = "gelu";
};

// Reads DIR/config.json and DIR/model.safetensors (masked-LM checkpoints with a tied decoder).
ReferenceModel loadReferenceModel(const std::string& directory);

struct ReferenceOutputs {
    at::Tensor lastHiddenState; // [B, L, hidden]
    at::Tensor logits; // [B, L, vocab]
};

// input_ids [B, L]; attention_mask [B, L] (1 keep, 0 padding: HuggingFace's additive dtype-minimum mask);
// token_type_ids optional; positionTable: the position-embedding table to use (the checkpoint's when undefined).
// allowed[layer]: an [H, L, L] 0/1 token mask (undefined: dense), entries 0 excluded from the softmax.
ReferenceOutputs referenceForward(const ReferenceModel& model, const at::Tensor& inputIds,
    const at::Tensor& attentionMask, const std::optional<at::Tensor>& tokenTypeIds,
    const std::vector<at::Tensor>& allowed, const at::Tensor& positionTable = {});

} // namespace spw::test
