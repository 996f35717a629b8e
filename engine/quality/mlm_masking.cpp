#include "quality/mlm_masking.h"

#include "common/error.h"
#include "sparsity/random_source.h"

namespace spw {

std::vector<MaskedDocument> maskText(const TokenizedText& text, const MaskingOptions& options)
{
    if (!(options.probability > 0 && options.probability <= 1))
        fail("mask probability must be in (0, 1], got {}", options.probability);
    if (options.vocabSize < 1)
        fail("masking needs a vocabulary, got vocab_size {}", options.vocabSize);
    RandomSource random(options.seed);
    std::vector<MaskedDocument> masked;
    masked.reserve(text.documents.size());
    for (const std::vector<std::int64_t>& document : text.documents) {
        MaskedDocument out;
        out.inputIds = document;
        out.labels.assign(document.size(), kNotScored);
        for (std::size_t i = 0; i < document.size(); ++i) {
            // Every token draws its choice, chosen or not, so that one token's outcome never shifts another's.
            const double uniform = double(random.next() >> 11) * 0x1.0p-53;
            if (uniform >= options.probability || options.neverChosen.count(document[i]))
                continue;
            out.labels[i] = document[i];
            const std::uint64_t kind = random.below(10);
            if (kind < 8)
                out.inputIds[i] = options.maskTokenId;
            else if (kind == 8)
                out.inputIds[i] = std::int64_t(random.below(std::uint64_t(options.vocabSize)));
        }
        masked.push_back(std::move(out));
    }
    return masked;
}

} // namespace spw
