#pragma once
// Which attention block each token of an input falls into at a given block size, and the padding the block
// would add (engine/convert's pad_to_block_size pads on the right up to a multiple of the block).
#include <QString>

#include <cstdint>

namespace spw::ui {

struct TokenBlocks {
    std::int64_t tokens = 0;
    std::int64_t block = 1;
    std::int64_t padded = 0; // tokens rounded up to a multiple of the block
    std::int64_t padding = 0; // padded - tokens
    std::int64_t blocks = 0; // padded / block

    std::int64_t blockOf(std::int64_t token) const { return token / block; }
    // "37 tokens → 48 with padding to block 16 (3 blocks)", or "48 tokens, 3 blocks of 16 (no padding)".
    QString summary() const;
};

// `block` must be positive.
TokenBlocks tokenBlocks(std::int64_t tokens, std::int64_t block);

} // namespace spw::ui
