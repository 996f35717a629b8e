#pragma once
// Whole decimal integers from text (command-line values, JSON object keys such as id2label's "0").
#include <cstdint>
#include <optional>
#include <string>

namespace spw {

// Parses a whole decimal integer (an optional sign, digits, no trailing characters); nullopt when the text is not
// one or does not fit in 64 bits.
std::optional<std::int64_t> parseInteger(const std::string& text);

} // namespace spw
