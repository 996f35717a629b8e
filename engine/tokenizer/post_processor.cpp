#include "tokenizer/post_processor.h"

namespace spw {

std::size_t PostProcessor::specialTokenCount(bool isPair) const
{
    std::size_t count = 0;
    for (const auto& piece : isPair ? pair : single)
        count += piece.isSequence ? 0 : 1;
    return count;
}

TemplatePiece sequencePiece(int sequence, std::int64_t typeId)
{
    TemplatePiece piece;
    piece.isSequence = true;
    piece.sequence = sequence;
    piece.typeId = typeId;
    return piece;
}

TemplatePiece specialPiece(std::int64_t id, const std::string& token, std::int64_t typeId)
{
    TemplatePiece piece;
    piece.id = id;
    piece.token = token;
    piece.typeId = typeId;
    return piece;
}

PostProcessor bertPostProcessor(const std::string& cls, std::int64_t clsId, const std::string& sep, std::int64_t sepId)
{
    PostProcessor processor;
    processor.single = { specialPiece(clsId, cls, 0), sequencePiece(0, 0), specialPiece(sepId, sep, 0) };
    processor.pair = { specialPiece(clsId, cls, 0), sequencePiece(0, 0), specialPiece(sepId, sep, 0),
        sequencePiece(1, 1), specialPiece(sepId, sep, 1) };
    return processor;
}

PostProcessor robertaPostProcessor(const std::string& cls, std::int64_t clsId, const std::string& sep,
    std::int64_t sepId, bool trimOffsets, bool addPrefixSpace)
{
    const TemplatePiece clsPiece = specialPiece(clsId, cls, 0);
    const TemplatePiece sepPiece = specialPiece(sepId, sep, 0);
    PostProcessor processor;
    processor.single = { clsPiece, sequencePiece(0, 0), sepPiece };
    processor.pair = { clsPiece, sequencePiece(0, 0), sepPiece, sepPiece, sequencePiece(1, 0), sepPiece };
    processor.trimOffsets = trimOffsets;
    processor.addPrefixSpace = addPrefixSpace;
    return processor;
}

} // namespace spw
