#pragma once
// BERT's masking for masked-LM evaluation (Devlin et al. 2019, as transformers' DataCollatorForLanguageModeling
// does it): each text token is chosen with probability p; a chosen token is scored (its label is its own id) and
// its input becomes the mask token 80% of the time, a uniformly random token 10%, and stays itself 10%.
//
// The choices are made once per token of the whole text, in order, from the engine's seeded SplitMix64
// (sparsity/random_source.h): the same (text, seed, p) masks the same tokens the same way on every machine, and
// every configuration of an evaluation — whatever its window length — scores exactly the same tokens.
#include "quality/evaluation_text.h"

#include <cstdint>
#include <set>
#include <vector>

namespace spw {

// The label of a token that is not scored (transformers' ignore index).
constexpr std::int64_t kNotScored = -100;

struct MaskingOptions {
    double probability = 0.15;
    std::uint64_t seed = 0;
    std::int64_t maskTokenId = 0;
    std::int64_t vocabSize = 0; // random replacements are drawn from [0, vocabSize)
    std::set<std::int64_t> neverChosen; // special tokens that appear in the text (transformers skips them too)
};

struct MaskedDocument {
    std::vector<std::int64_t> inputIds; // the document's ids after masking
    std::vector<std::int64_t> labels; // the original id where scored, kNotScored elsewhere
};

// spw::Error when the probability is outside (0, 1] or the vocabulary is empty.
std::vector<MaskedDocument> maskText(const TokenizedText& text, const MaskingOptions& options);

} // namespace spw
