#include "profile/profile_inputs.h"

#include "common/error.h"
#include "tokenizer/tokenizer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace spw {
namespace {

// The text's tokens between the tokenizer's leading and trailing special tokens, cycled to `length` tokens.
std::vector<std::int64_t> textRow(const Tokenizer& tokenizer, const std::string& text, std::int64_t length)
{
    const Encoding encoding = tokenizer.encode(text);
    std::vector<std::int64_t> prefix, body, suffix;
    for (std::size_t i = 0; i < encoding.size(); ++i) {
        if (encoding.specialTokensMask[i] == 0)
            body.push_back(encoding.ids[i]);
        else
            (body.empty() ? prefix : suffix).push_back(encoding.ids[i]);
    }
    if (body.empty())
        fail("profile: the text gives no tokens (--text)");
    std::vector<std::int64_t> row(prefix.begin(), prefix.end());
    const std::int64_t room = length - std::int64_t(prefix.size() + suffix.size());
    for (std::int64_t i = 0; i < room; ++i)
        row.push_back(body[std::size_t(i) % body.size()]);
    row.insert(row.end(), suffix.begin(), suffix.end());
    row.resize(std::size_t(length));  // a length shorter than the special tokens keeps the first ones
    return row;
}

} // namespace

ModelInputs makeProfileInputs(const ProfileSettings& settings, const ModelConfig& model, const Tokenizer* tokenizer,
                              std::int64_t seqLen, std::int64_t batch)
{
    if (settings.paddingFraction < 0 || settings.paddingFraction >= 1)
        fail("profile: the padding fraction must be in [0, 1), got {} (--padding-fraction)", settings.paddingFraction);
    at::Tensor ids;
    if (settings.text) {
        if (!tokenizer)
            fail("profile: text inputs need the model's tokenizer (--text)");
        const std::vector<std::int64_t> row = textRow(*tokenizer, *settings.text, seqLen);
        if (*std::max_element(row.begin(), row.end()) >= model.vocabSize)
            fail("profile: the tokenizer gives ids beyond the model's vocab_size {} (--text)", model.vocabSize);
        ids = at::tensor(row, at::kLong).unsqueeze(0).repeat({batch, 1});
    } else {
        // Uniform over every id but the padding id: draw from vocab_size - 1 values and step over pad_token_id.
        at::Generator generator = at::detail::createCPUGenerator(settings.seed);
        ids = at::randint(model.vocabSize - 1, {batch, seqLen}, generator, at::kLong);
        ids = ids + ids.ge(model.padTokenId).to(at::kLong);
    }
    const auto padding = std::min<std::int64_t>(seqLen - 1, std::llround(settings.paddingFraction * double(seqLen)));
    ModelInputs inputs;
    if (padding > 0) {
        ids.narrow(1, seqLen - padding, padding).fill_(model.padTokenId);
        at::Tensor mask = at::ones({batch, seqLen}, at::kLong);
        mask.narrow(1, seqLen - padding, padding).zero_();
        inputs.attentionMask = mask;
    }
    inputs.inputIds = ids;
    return inputs;
}

} // namespace spw
