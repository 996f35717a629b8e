#pragma once
// JSON text must be UTF-8, and nlohmann's dump throws on anything else; but a path on Linux is any bytes. Every path
// (or file name) the engine puts into JSON output goes through validUtf8 when the JSON is built, so that printing it
// cannot fail after the command's files were written.
#include <string>
#include <string_view>
#include <vector>

namespace spw {

// `bytes` with each byte that does not belong to a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF) replaced by U+FFFD, the replacement character. Valid text comes back unchanged.
std::string validUtf8(std::string_view bytes);
std::vector<std::string> validUtf8(const std::vector<std::string>& texts);

} // namespace spw
