#include "model/token_blocks.h"

#include <QCoreApplication>
#include <QLocale>

namespace spw::ui {

TokenBlocks tokenBlocks(std::int64_t tokens, std::int64_t block)
{
    TokenBlocks result;
    result.tokens = tokens;
    result.block = block;
    result.blocks = (tokens + block - 1) / block;
    result.padded = result.blocks * block;
    result.padding = result.padded - tokens;
    return result;
}

QString TokenBlocks::summary() const
{
    const QLocale locale;
    const QString blockWord = blocks == 1 ? QCoreApplication::translate("TokenBlocks", "block")
                                          : QCoreApplication::translate("TokenBlocks", "blocks");
    if (padding == 0)
        return QCoreApplication::translate("TokenBlocks", "%1 tokens, %2 %3 of %4 (no padding)")
            .arg(locale.toString(qlonglong(tokens)), locale.toString(qlonglong(blocks)), blockWord)
            .arg(block);
    return QCoreApplication::translate("TokenBlocks", "%1 tokens → %2 with padding to block %3 (%4 %5)")
        .arg(locale.toString(qlonglong(tokens)), locale.toString(qlonglong(padded)))
        .arg(block)
        .arg(locale.toString(qlonglong(blocks)), blockWord);
}

} // namespace spw::ui
