#pragma once
// The demo tokenizer's files, compiled in from resources/demo_tokenizer/ by embed_files.cmake. Each array has a
// trailing NUL that its Size leaves out.
#include <cstddef>

namespace spw::embedded {

extern const unsigned char kDemoBertVocab[];
extern const std::size_t kDemoBertVocabSize;
extern const unsigned char kDemoRobertaVocab[];
extern const std::size_t kDemoRobertaVocabSize;
extern const unsigned char kDemoRobertaMerges[];
extern const std::size_t kDemoRobertaMergesSize;

} // namespace spw::embedded
