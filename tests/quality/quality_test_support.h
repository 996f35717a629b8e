#pragma once
// Shared inputs for the masked-LM evaluation tests: the transformers fixture bert_mlm (tests/fixtures/models; its
// weights are spread wide enough that its predictions depend on the input) with a word-level vocabulary beside it,
// and texts over that vocabulary.
#include <cstdint>
#include <string>

namespace spw::test {

// The fixture's vocabulary: [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0-4), then "w5" ... "w98": the word "wK" is id K.
constexpr std::int64_t kFirstWordId = 5;
constexpr std::int64_t kWordVocabSize = 99;

// A copy of bert_mlm (64 positions) in a fresh folder under `parent`, with that vocabulary as vocab.txt.
std::string makeWordModelFolder(const std::string& parent);

// `words` seeded random words of the vocabulary, separated by single spaces and an occasional newline.
std::string randomWordText(std::int64_t words, std::uint64_t seed);

} // namespace spw::test
