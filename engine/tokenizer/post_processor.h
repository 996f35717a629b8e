#pragma once
// The template that adds special tokens around one text or a pair, with the token type of every piece:
//   BERT     [CLS] A [SEP]              [CLS] A [SEP] B [SEP]      types 0 ... 0, then 1 for B [SEP]
//   RoBERTa  <s> A </s>                 <s> A </s></s> B </s>     all type 0
// plus RoBERTa's trim_offsets (offsets leave out the spaces a byte-level token starts or ends with).
#include <cstdint>
#include <string>
#include <vector>

namespace spw {

struct TemplatePiece {
    bool isSequence = false; // true: the text (sequence 0 = A, 1 = B); false: the special token below
    int sequence = 0;
    std::int64_t id = 0;
    std::string token;
    std::int64_t typeId = 0;
};

TemplatePiece sequencePiece(int sequence, std::int64_t typeId);
TemplatePiece specialPiece(std::int64_t id, const std::string& token, std::int64_t typeId);

struct PostProcessor {
    std::vector<TemplatePiece> single;
    std::vector<TemplatePiece> pair;
    bool trimOffsets = false;
    bool addPrefixSpace = false; // with trimOffsets: a first token's one leading space was added, keep it

    std::size_t specialTokenCount(bool isPair) const;
};

PostProcessor bertPostProcessor(const std::string& cls, std::int64_t clsId, const std::string& sep, std::int64_t sepId);
PostProcessor robertaPostProcessor(const std::string& cls, std::int64_t clsId, const std::string& sep,
    std::int64_t sepId, bool trimOffsets, bool addPrefixSpace);

} // namespace spw
