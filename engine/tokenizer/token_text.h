#pragma once
// What a token reads as, for showing tokens to a person (the GUI's token view). Byte-level BPE vocabularies spell
// a token's UTF-8 bytes with GPT-2's printable stand-ins (bpe_model.h: a space is 'Ġ', a line break 'Ċ'), so
// "Ġthe" is shown as " the"; WordPiece tokens ("##ing") and added tokens ("<s>", "[CLS]") are shown as they are.
#include "tokenizer/tokenizer.h"

#include <string>

namespace spw {

// The token's text: byte-level tokens mapped back to their bytes (a token holding only part of a character's
// bytes shows U+FFFD for them), then line breaks, tabs and other control characters as visible marks (↵, ⇥, the
// Unicode control pictures) and a token of spaces only as '␣' per space, so that no token draws empty.
std::string tokenDisplayText(Tokenizer::Kind kind, const std::string& token);

} // namespace spw
