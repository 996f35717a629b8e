#include "quality/mlm_score.h"

#include "common/error.h"
#include "convert/padded_run.h"
#include "quality/mlm_masking.h"

#include <fmt/ranges.h>

#include <cmath>
#include <limits>

namespace spw {

void MlmScore::add(const at::Tensor& logits, const at::Tensor& labels)
{
    if (logits.dim() != 2 || labels.dim() != 1 || logits.size(0) != labels.size(0))
        fail("masked-LM score: logits [{}] do not match labels [{}]", fmt::join(logits.sizes(), ", "),
            fmt::join(labels.sizes(), ", "));
    const at::Tensor wide = logits.to(at::kFloat);
    const at::Tensor truth = labels.to(wide.device(), at::kLong);
    // Cross-entropy of the true token: logsumexp over the vocabulary minus the true token's logit.
    const at::Tensor losses = at::logsumexp(wide, 1) - wide.gather(1, truth.unsqueeze(1)).squeeze(1);
    m_lossSum += losses.to(at::kDouble).sum().item<double>();
    m_correct += wide.argmax(1).eq(truth).sum().item<std::int64_t>();
    m_tokens += labels.size(0);
}

double MlmScore::loss() const
{
    return m_tokens > 0 ? m_lossSum / double(m_tokens) : std::numeric_limits<double>::quiet_NaN();
}

double MlmScore::perplexity() const
{
    return std::exp(loss());
}

double MlmScore::accuracy() const
{
    return m_tokens > 0 ? double(m_correct) / double(m_tokens) : std::numeric_limits<double>::quiet_NaN();
}

void scoreMaskedTokens(const EncoderModel& encoder, const EncoderModel& head, const ModelInputs& inputs,
    const at::Tensor& labels, MlmScore& score)
{
    const at::Tensor scored = labels.ne(kNotScored);
    const at::Tensor hidden = runPadded(encoder, inputs).lastHiddenState;
    const at::Tensor rows = hidden.index({ scored.to(hidden.device()) }); // [M, hidden]
    score.add(head.maskedLmLogits(rows), labels.index({ scored }));
}

} // namespace spw
