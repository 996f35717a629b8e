#pragma once
// Masked-LM quality over the scored tokens of an evaluation: the mean cross-entropy of the true token (natural log,
// as transformers' loss), its exponential (perplexity), and how often the most likely token is the true one (top-1
// accuracy). Sums are kept in double precision, so the result does not depend on how tokens were batched.
#include "model/encoder_model.h"

#include <ATen/ATen.h>

#include <cstdint>

namespace spw {

class MlmScore {
public:
    // logits [M, vocab] (any floating dtype, any device) for M scored tokens whose true ids are labels [M].
    void add(const at::Tensor& logits, const at::Tensor& labels);

    std::int64_t tokens() const { return m_tokens; }
    double loss() const; // NaN before any token
    double perplexity() const;
    double accuracy() const;

private:
    std::int64_t m_tokens = 0;
    std::int64_t m_correct = 0;
    double m_lossSum = 0;
};

// Runs `encoder` (a bare encoder, through convert's runPadded so that sparse layers get inputs padded to their
// block) on `inputs`, applies `head`'s masked-LM head to the hidden states of the tokens whose label is not
// kNotScored (labels: I64, the inputs' shape, on the CPU), and adds them to `score`.
void scoreMaskedTokens(const EncoderModel& encoder, const EncoderModel& head, const ModelInputs& inputs,
    const at::Tensor& labels, MlmScore& score);

} // namespace spw
