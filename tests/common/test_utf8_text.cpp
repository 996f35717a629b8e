// validUtf8 (common/utf8_text.h): what a path's bytes become in JSON output. Valid UTF-8 is kept byte for byte; every
// byte outside a well-formed sequence becomes U+FFFD, and the result always dumps as JSON.
#include "common/utf8_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace spw {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

std::string replaced(int count)
{
    std::string text;
    for (int i = 0; i < count; ++i)
        text += kReplacement;
    return text;
}

TEST(ValidUtf8, KeepsValidTextByteForByte)
{
    for (const std::string text :
        { std::string(), std::string("models/bert-base"), std::string("caf\xC3\xA9"), std::string("\xE2\x82\xAC 100"),
            std::string("\xF0\x9F\x98\x80"), std::string("\xF4\x8F\xBF\xBF"), std::string("a\0b", 3) })
        EXPECT_EQ(validUtf8(text), text);
}

TEST(ValidUtf8, ReplacesEachByteOutsideAWellFormedSequence)
{
    EXPECT_EQ(validUtf8("model-\xFF"), "model-" + kReplacement);
    EXPECT_EQ(validUtf8("\xC0\xAF"), replaced(2)); // overlong '/'
    EXPECT_EQ(validUtf8("\xED\xA0\x80"), replaced(3)); // a UTF-16 surrogate
    EXPECT_EQ(validUtf8("\xF4\x90\x80\x80"), replaced(4)); // past U+10FFFF
    EXPECT_EQ(validUtf8("x\xE2\x82"), "x" + replaced(2)); // cut short at the end
    EXPECT_EQ(validUtf8("\x80\xC3\xA9"), kReplacement + "\xC3\xA9"); // a stray continuation, then a valid letter
}

TEST(ValidUtf8, TheResultAlwaysDumpsAsJson)
{
    std::string bytes;
    for (int b = 0; b < 256; ++b)
        bytes += char(b);
    const nlohmann::json json = { { "path", validUtf8(bytes) } };
    EXPECT_NO_THROW(json.dump());
    EXPECT_THROW(nlohmann::json({ { "path", bytes } }).dump(), nlohmann::json::type_error); // what it prevents
    EXPECT_EQ(
        validUtf8(std::vector<std::string> { "a\xFF", "b" }), (std::vector<std::string> { "a" + kReplacement, "b" }));
}

} // namespace
} // namespace spw
