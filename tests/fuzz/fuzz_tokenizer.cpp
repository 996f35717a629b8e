// Fuzzes the tokenizer loaders (engine/tokenizer/tokenizer.h: tokenizer.json, vocab.txt, vocab.json + merges.txt,
// tokenizer_config.json, special_tokens_map.json) through Tokenizer::load on a folder, then encodes a text with the
// loaded tokenizer. One input describes the whole folder (seeds/tokenizer/*):
//
//   #file tokenizer_config.json      a line "#file NAME" starts the file NAME (one of the tokenizer files; others
//   {...}                            are ignored); it runs to the next line starting with "#file", "#text" or
//   #file vocab.txt                  "#pair"
//   ...
//   #text                            the text to encode (default: a sample with accents, CJK and special tokens)
//   ...
//   #pair                            the second text of a pair (optional)
//
// Checked besides the sanitizers: every encoding's per-token vectors have one entry per token, ids are inside the
// vocabulary, offsets inside their own text, truncation and padding give the lengths asked for.
#include "fuzz_support.h"

#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <optional>

namespace {

using spw::fuzz::finding;

const std::array<std::string, 6> kFileNames
    = { "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json", "merges.txt" };
// Texts are cut to this many bytes: the harness looks for crashes, and the byte-level BPE merge loop is quadratic in
// a word's length (issue 14, case 6), which would turn long texts into timeouts.
constexpr std::size_t kMaxTextBytes = 1024;
const std::string kDefaultText = "Hello, World! Naïve café 東京 [MASK] <mask> don't";

struct FolderInput {
    std::map<std::string, std::string> files;
    std::string text = kDefaultText;
    std::optional<std::string> pair;
};

FolderInput parseInput(const std::string& input)
{
    FolderInput parsed;
    std::string* section = nullptr;
    std::size_t start = 0;
    while (start < input.size()) {
        std::size_t end = input.find('\n', start);
        const std::size_t next = end == std::string::npos ? input.size() : end + 1;
        const std::string line = input.substr(start, next - start);
        const std::string bare = line.substr(0, line.find('\n'));
        if (bare.rfind("#file ", 0) == 0) {
            const std::string name = bare.substr(6);
            bool known = std::find(kFileNames.begin(), kFileNames.end(), name) != kFileNames.end();
            section = known ? &parsed.files[name] : nullptr;
        } else if (bare == "#text") {
            parsed.text.clear();
            section = &parsed.text;
        } else if (bare == "#pair") {
            parsed.pair.emplace();
            section = &*parsed.pair;
        } else if (section) {
            section->append(line);
        }
        start = next;
    }
    parsed.text.resize(std::min(parsed.text.size(), kMaxTextBytes));
    if (parsed.pair)
        parsed.pair->resize(std::min(parsed.pair->size(), kMaxTextBytes));
    return parsed;
}

void checkEncoding(const spw::Tokenizer& tokenizer, const spw::Encoding& encoding, const std::string& text,
    const std::optional<std::string>& pair)
{
    const std::size_t n = encoding.ids.size();
    if (encoding.tokens.size() != n || encoding.typeIds.size() != n || encoding.attentionMask.size() != n
        || encoding.specialTokensMask.size() != n || encoding.sequenceIds.size() != n || encoding.offsets.size() != n)
        finding("an encoding's per-token vectors differ in length");
    for (std::size_t i = 0; i < n; ++i) {
        if (encoding.ids[i] < 0 || encoding.ids[i] >= tokenizer.vocabSize())
            finding("an encoded id is outside the vocabulary");
        (void)tokenizer.idToToken(encoding.ids[i]);
        if (encoding.attentionMask[i] != 0 && encoding.attentionMask[i] != 1)
            finding("attention mask is not 0/1");
        const auto [first, second] = encoding.offsets[i];
        const int sequence = encoding.sequenceIds[i];
        const std::size_t limit = sequence == 0 ? text.size() : sequence == 1 && pair ? pair->size() : 0;
        if (sequence < -1 || sequence > 1 || first > second || second > limit)
            finding("an offset lies outside its text");
    }
}

void encodeWith(const spw::Tokenizer& tokenizer, const FolderInput& input)
{
    using spw::fuzz::expectEngineErrorsOnly;
    expectEngineErrorsOnly(
        [&] { checkEncoding(tokenizer, tokenizer.encode(input.text, input.pair), input.text, input.pair); });
    expectEngineErrorsOnly([&] {
        spw::EncodeOptions options;
        options.maxLength = 8;
        const spw::Encoding encoding = tokenizer.encode(input.text, input.pair, options);
        checkEncoding(tokenizer, encoding, input.text, input.pair);
        if (encoding.size() > 8)
            finding("truncation to 8 tokens gave more");
    });
    expectEngineErrorsOnly([&] {
        spw::EncodeOptions options;
        options.maxLength = 24;
        options.padding = spw::Padding::MaxLength;
        const spw::Encoding encoding = tokenizer.encode(input.text, std::nullopt, options);
        checkEncoding(tokenizer, encoding, input.text, std::nullopt);
        if (encoding.size() != 24)
            finding("padding to 24 tokens did not give 24");
    });
    expectEngineErrorsOnly([&] {
        spw::EncodeOptions options;
        options.padding = spw::Padding::Longest;
        const auto batch = tokenizer.encodeBatch({ input.text, input.pair.value_or("") }, options);
        if (batch.size() != 2 || batch[0].size() != batch[1].size())
            finding("padding a batch to its longest did not give equal lengths");
    });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string& folder = spw::fuzz::scratchFolder();
    const FolderInput input = parseInput(std::string(reinterpret_cast<const char*>(data), size));
    for (const auto& name : kFileNames) {
        std::error_code ignored;
        std::filesystem::remove(folder + "/" + name, ignored);
    }
    for (const auto& [name, content] : input.files)
        spw::fuzz::writeFile(folder + "/" + name, content);
    spw::fuzz::expectEngineErrorsOnly([&] {
        const std::unique_ptr<spw::Tokenizer> tokenizer = spw::Tokenizer::load(folder);
        encodeWith(*tokenizer, input);
    });
    return 0;
}
