#include "quality/evaluation_windows.h"

#include "common/error.h"

#include <algorithm>

namespace spw {

std::vector<EvaluationWindow> makeWindows(
    const std::vector<MaskedDocument>& documents, std::int64_t seqLen, const SpecialTokenIds& specials)
{
    const auto specialCount = std::int64_t(specials.before.size() + specials.after.size());
    if (seqLen <= specialCount)
        fail("sequence length {} leaves no room for text between the tokenizer's {} special tokens", seqLen,
            specialCount);
    const auto room = std::size_t(seqLen - specialCount);
    std::vector<EvaluationWindow> windows;
    for (const MaskedDocument& document : documents) {
        for (std::size_t begin = 0; begin < document.inputIds.size(); begin += room) {
            const std::size_t end = std::min(begin + room, document.inputIds.size());
            const auto labelsBegin = document.labels.begin() + std::ptrdiff_t(begin);
            const auto labelsEnd = document.labels.begin() + std::ptrdiff_t(end);
            if (std::all_of(labelsBegin, labelsEnd, [](std::int64_t label) { return label == kNotScored; }))
                continue;
            EvaluationWindow window;
            window.inputIds = specials.before;
            window.inputIds.insert(window.inputIds.end(), document.inputIds.begin() + std::ptrdiff_t(begin),
                document.inputIds.begin() + std::ptrdiff_t(end));
            window.inputIds.insert(window.inputIds.end(), specials.after.begin(), specials.after.end());
            window.labels.assign(specials.before.size(), kNotScored);
            window.labels.insert(window.labels.end(), labelsBegin, labelsEnd);
            window.labels.insert(window.labels.end(), specials.after.size(), kNotScored);
            windows.push_back(std::move(window));
        }
    }
    return windows;
}

EvaluationBatch makeBatch(
    const std::vector<EvaluationWindow>& windows, std::size_t first, std::size_t count, std::int64_t padTokenId)
{
    std::size_t longest = 0;
    for (std::size_t i = first; i < first + count; ++i)
        longest = std::max(longest, windows[i].inputIds.size());
    const auto rows = std::int64_t(count);
    const auto columns = std::int64_t(longest);
    at::Tensor ids = at::full({ rows, columns }, padTokenId, at::kLong);
    at::Tensor labels = at::full({ rows, columns }, kNotScored, at::kLong);
    at::Tensor mask = at::zeros({ rows, columns }, at::kLong);
    for (std::int64_t row = 0; row < rows; ++row) {
        const EvaluationWindow& window = windows[first + std::size_t(row)];
        const auto length = std::int64_t(window.inputIds.size());
        ids[row].narrow(0, 0, length).copy_(at::tensor(window.inputIds, at::kLong));
        labels[row].narrow(0, 0, length).copy_(at::tensor(window.labels, at::kLong));
        mask[row].narrow(0, 0, length).fill_(1);
    }
    EvaluationBatch batch;
    batch.inputs.inputIds = ids;
    batch.inputs.attentionMask = mask;
    batch.labels = labels;
    return batch;
}

} // namespace spw
