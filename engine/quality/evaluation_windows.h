#pragma once
// Masked documents cut into model inputs: windows of at most seqLen tokens, each the tokenizer's special tokens
// around a run of consecutive text tokens (BERT: [CLS] text [SEP], RoBERTa: <s> text </s>), and batches of windows
// padded on the right to the longest.
//
// Every document is cut from its start into runs of seqLen minus the special tokens; its last run may be shorter.
// Windows never span two documents, and a window with no scored token is left out (it changes no result).
#include "model/encoder_model.h"
#include "quality/mlm_masking.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace spw {

struct EvaluationWindow {
    std::vector<std::int64_t> inputIds;
    std::vector<std::int64_t> labels; // kNotScored for the special tokens
};

struct SpecialTokenIds {
    std::vector<std::int64_t> before; // Tokenizer::singleTextSpecialIds
    std::vector<std::int64_t> after;
};

// spw::Error naming the length when seqLen leaves no room for text between the special tokens.
std::vector<EvaluationWindow> makeWindows(
    const std::vector<MaskedDocument>& documents, std::int64_t seqLen, const SpecialTokenIds& specials);

struct EvaluationBatch {
    ModelInputs inputs; // input_ids [B, L], attention_mask [B, L] (0 on padding), on the CPU
    at::Tensor labels; // I64 [B, L], kNotScored on padding
};

// Windows [first, first + count) of `windows`, padded with padTokenId.
EvaluationBatch makeBatch(
    const std::vector<EvaluationWindow>& windows, std::size_t first, std::size_t count, std::int64_t padTokenId);

} // namespace spw
