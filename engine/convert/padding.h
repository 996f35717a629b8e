#pragma once
// Padding a model's inputs to a multiple of the sparsity block, and cutting the outputs back (DeepSpeed's
// SparseAttentionUtils.pad_to_block_size / unpad_sequence_output; design.md §4). Block-sparse attention needs a
// sequence length that is a multiple of the block, so inputs are padded on the right:
//   input_ids       with pad_token_id
//   attention_mask  with 0 (the padding is not attended to)
//   token_type_ids  with 0
//   position_ids    with pad_token_id (as DeepSpeed does)
//   inputs_embeds   with the embedding of pad tokens
#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <optional>

namespace spw {

struct PaddingInputs {
    std::optional<at::Tensor> inputIds; // [batch, seq_len] int64
    std::optional<at::Tensor> attentionMask; // [batch, seq_len], 1 attend / 0 padding, any dtype
    std::optional<at::Tensor> tokenTypeIds; // [batch or 1, seq_len]
    std::optional<at::Tensor> positionIds; // [batch or 1, seq_len]
    std::optional<at::Tensor> inputsEmbeds; // [batch, seq_len, hidden]
};

// Where the embedding of pad tokens comes from when inputs_embeds must be padded: either a callable that embeds
// ids ([batch, pad] int64, all pad_token_id → [batch, pad, hidden]) or the pad token's embedding vector [hidden].
// inputs_embeds replaces the word embeddings, so the right source is the word-embedding lookup of pad_token_id
// (DeepSpeed passes its whole embeddings module, which would add position and token-type terms twice).
struct PadTokenEmbedding {
    std::function<at::Tensor(const at::Tensor& padIds)> embed;
    std::optional<at::Tensor> vector;
};

struct PaddedInputs {
    std::int64_t padLength = 0; // tokens added on the right (0: inputs returned as they were)
    PaddingInputs inputs;
};

// Throws spw::Error naming the tensor when shapes disagree, when neither input_ids nor inputs_embeds is given, or
// when inputs_embeds needs padding and no pad embedding is given.
PaddedInputs padToBlockSize(std::int64_t block, std::int64_t padTokenId, const PaddingInputs& inputs,
    const PadTokenEmbedding& padEmbedding = {});

// Cuts [batch, seq_len + padLength, ...] back to [batch, seq_len, ...].
at::Tensor unpadSequenceOutput(std::int64_t padLength, const at::Tensor& output);

} // namespace spw
