// Long words: byte-level BPE merges a 60,000-character word in well under a second (the merge loop is O(n log n),
// it was quadratic), with the tokens of an independent reference; WordPiece turns a word past
// max_input_chars_per_word into [UNK], as tokenizers does, and stays fast when a file raises that limit.
#include "common/run_cli.h"
#include "golden_cases.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace spw {
namespace {

namespace fs = std::filesystem;

// GPT-2's bytes_to_unicode, as its encoder.py writes it: the printable bytes stand for themselves, the others for
// 256, 257, ... in byte order; returned as UTF-8.
std::vector<std::string> gpt2ByteChars()
{
    std::vector<std::string> chars(256);
    int next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        const int code = printable ? b : next++;
        std::string utf8;
        if (code < 0x80) {
            utf8 += char(code);
        } else {
            utf8 += char(0xC0 | (code >> 6));
            utf8 += char(0x80 | (code & 0x3F));
        }
        chars[std::size_t(b)] = utf8;
    }
    return chars;
}

// GPT-2's bpe() from encoder.py: find the adjacent pair of best rank, merge every occurrence of it left to right,
// repeat. One pass per distinct merge, so linear in the word for a fixed merge table. Symbols are interned strings.
class ReferenceBpe {
public:
    explicit ReferenceBpe(const std::string& folder)
    {
        std::ifstream vocabIn(fs::path(folder) / "vocab.json");
        const auto vocab = nlohmann::json::parse(vocabIn);
        for (const auto& [token, id] : vocab.items())
            m_vocab[token] = id.get<std::int64_t>();
        std::ifstream mergesIn(fs::path(folder) / "merges.txt");
        std::string line;
        int rank = 0;
        while (std::getline(mergesIn, line)) {
            if (line.empty() || line.rfind("#version", 0) == 0)
                continue;
            const auto space = line.find(' ');
            m_ranks.emplace(key(intern(line.substr(0, space)), intern(line.substr(space + 1))), rank++);
        }
    }

    std::vector<std::int64_t> ids(const std::string& word)
    {
        static const std::vector<std::string> byteChars = gpt2ByteChars();
        std::vector<std::uint32_t> symbols;
        for (unsigned char byte : word)
            symbols.push_back(intern(byteChars[byte]));
        while (symbols.size() > 1) {
            int best = -1;
            std::uint64_t bestPair = 0;
            for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
                auto it = m_ranks.find(key(symbols[i], symbols[i + 1]));
                if (it != m_ranks.end() && (best < 0 || it->second < best)) {
                    best = it->second;
                    bestPair = it->first;
                }
            }
            if (best < 0)
                break;
            const auto left = std::uint32_t(bestPair >> 32);
            const auto right = std::uint32_t(bestPair);
            const std::uint32_t joined = intern(m_strings[left] + m_strings[right]);
            std::vector<std::uint32_t> merged;
            for (std::size_t i = 0; i < symbols.size(); ++i) {
                if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
                    merged.push_back(joined);
                    ++i;
                } else {
                    merged.push_back(symbols[i]);
                }
            }
            symbols = std::move(merged);
        }
        std::vector<std::int64_t> result;
        for (std::uint32_t symbol : symbols)
            result.push_back(m_vocab.at(m_strings[symbol]));
        return result;
    }

private:
    static std::uint64_t key(std::uint32_t left, std::uint32_t right) { return std::uint64_t(left) << 32 | right; }
    std::uint32_t intern(const std::string& text)
    {
        auto [it, added] = m_interned.emplace(text, std::uint32_t(m_strings.size()));
        if (added)
            m_strings.push_back(text);
        return it->second;
    }

    std::map<std::string, std::int64_t> m_vocab;
    std::unordered_map<std::uint64_t, int> m_ranks;
    std::unordered_map<std::string, std::uint32_t> m_interned;
    std::vector<std::string> m_strings;
};

// One pre-tokenizer word (letters only, some of them two- and three-byte characters) of about `length` characters,
// made of English fragments in a fixed pseudo-random order so that merges go several levels deep.
std::string longWord(std::size_t length)
{
    static const std::vector<std::string> fragments
        = { "the", "ing", "tion", "and", "er", "re", "on", "at", "en", "ed", "is", "it", "al", "ar", "st", "to", "nt",
              "ng", "se", "ha", "ou", "ea", "le", "co", "me", "de", "hi", "ri", "ro", "ic", "ne", "ve", "ra", "ce",
              "li", "ch", "ll", "be", "ma", "si", "om", "ur", "x", "q", "z", "é", "ü", "ß", "中", "文" };
    std::mt19937 random(20240611);
    std::uniform_int_distribution<std::size_t> pick(0, fragments.size() - 1);
    std::string word;
    std::size_t characters = 0;
    while (characters < length) {
        const std::string& fragment = fragments[pick(random)];
        word += fragment;
        for (unsigned char byte : fragment)
            characters += (byte & 0xC0) != 0x80 ? 1 : 0;
    }
    return word;
}

std::vector<std::int64_t> idsWithoutSpecialTokens(const Tokenizer& tokenizer, const std::string& text)
{
    EncodeOptions options;
    options.addSpecialTokens = false;
    return tokenizer.encode(text, std::nullopt, options).ids;
}

TEST(LongWords, ByteLevelBpeMatchesTheReferenceOnAWordOfAThousandCharacters)
{
    const std::string folder = test::tokenizerFixture("roberta_vocab");
    const auto tokenizer = Tokenizer::load(folder);
    const std::string word = longWord(1000);
    const auto ids = idsWithoutSpecialTokens(*tokenizer, word);
    EXPECT_EQ(ids, ReferenceBpe(folder).ids(word));
    EXPECT_GT(ids.size(), 100u); // merged, but not into one token
}

TEST(LongWords, ByteLevelBpeTokenizesA60000CharacterWordAsTheReferenceDoes)
{
    const std::string folder = test::tokenizerFixture("roberta_vocab");
    const auto tokenizer = Tokenizer::load(folder);
    const std::string word = longWord(60000);
    EXPECT_EQ(idsWithoutSpecialTokens(*tokenizer, word), ReferenceBpe(folder).ids(word));
}

// The tokenizers library's WordPiece, read off its source: a word of more than max_input_chars_per_word
// characters is one [UNK]; otherwise the longest vocabulary piece from the left, "##" pieces after the first, and
// the whole word is one [UNK] when some part has no piece.
std::vector<std::string> referenceWordPiece(
    const std::unordered_set<std::string>& vocabulary, const std::u32string& word, std::size_t maxChars)
{
    auto utf8 = [](const std::u32string& text) {
        std::string out;
        for (char32_t c : text) {
            if (c < 0x80) {
                out += char(c);
            } else if (c < 0x800) {
                out += char(0xC0 | (c >> 6));
                out += char(0x80 | (c & 0x3F));
            } else {
                out += char(0xE0 | (c >> 12));
                out += char(0x80 | ((c >> 6) & 0x3F));
                out += char(0x80 | (c & 0x3F));
            }
        }
        return out;
    };
    auto known = [&](const std::string& piece) { return vocabulary.count(piece) != 0; };
    if (word.size() > maxChars)
        return { "[UNK]" };
    std::vector<std::string> pieces;
    for (std::size_t start = 0; start < word.size();) {
        std::size_t end = word.size();
        for (; end > start; --end) {
            const std::string piece = (start > 0 ? "##" : "") + utf8(word.substr(start, end - start));
            if (known(piece)) {
                pieces.push_back(piece);
                break;
            }
        }
        if (end == start)
            return { "[UNK]" };
        start = end;
    }
    return pieces;
}

std::vector<std::string> tokensWithoutSpecialTokens(const Tokenizer& tokenizer, const std::string& text)
{
    EncodeOptions options;
    options.addSpecialTokens = false;
    return tokenizer.encode(text, std::nullopt, options).tokens;
}

TEST(LongWords, WordPieceTurnsAWordPastTheCharacterLimitIntoUnknown)
{
    const auto tokenizer = Tokenizer::load(test::tokenizerFixture("bert_vocab"));
    // transformers' BERT stops at 100 characters: 100 letters are pieces, 101 are one [UNK].
    const std::string hundred(100, 'a');
    EXPECT_GT(tokensWithoutSpecialTokens(*tokenizer, hundred).size(), 1u);
    EXPECT_EQ(tokensWithoutSpecialTokens(*tokenizer, hundred + "a"), std::vector<std::string> { "[UNK]" });
    EXPECT_EQ(tokensWithoutSpecialTokens(*tokenizer, std::string(60000, 'b')), std::vector<std::string> { "[UNK]" });
}

class LongWordPieceTest : public ::testing::Test {
protected:
    // bert_json's tokenizer.json with max_input_chars_per_word raised to a million, as a file may.
    void SetUp() override
    {
        m_dir = test::makeTempDir("spw-long-wordpiece");
        std::ifstream in(fs::path(test::tokenizerFixture("bert_json")) / "tokenizer.json");
        auto file = nlohmann::json::parse(in);
        file["model"]["max_input_chars_per_word"] = 1000000;
        std::ofstream(fs::path(m_dir) / "tokenizer.json") << file.dump();
        for (const auto& item : file["model"]["vocab"].items())
            m_vocabulary.insert(item.key());
    }
    void TearDown() override { fs::remove_all(m_dir); }

    std::string m_dir;
    std::unordered_set<std::string> m_vocabulary;
};

TEST_F(LongWordPieceTest, MatchesTheReferenceOnAWordOf300Letters)
{
    const auto tokenizer = Tokenizer::load(m_dir);
    std::mt19937 random(7);
    std::uniform_int_distribution<int> letter('a', 'z');
    std::u32string word;
    for (int i = 0; i < 300; ++i)
        word += char32_t(letter(random));
    const std::string text(word.begin(), word.end());
    const auto tokens = tokensWithoutSpecialTokens(*tokenizer, text);
    EXPECT_EQ(tokens, referenceWordPiece(m_vocabulary, word, 1000000));
    EXPECT_GT(tokens.size(), 30u);
}

TEST_F(LongWordPieceTest, TokenizesA60000LetterWord)
{
    const auto tokenizer = Tokenizer::load(m_dir);
    const std::string word = longWord(60000);
    const std::string letters = [&] {
        std::string ascii;
        for (char c : word)
            if (c >= 'a' && c <= 'z')
                ascii += c;
        return ascii;
    }();
    const auto tokens = tokensWithoutSpecialTokens(*tokenizer, letters);
    // The pieces spell the word back: its first piece, then "##" pieces.
    ASSERT_GT(tokens.size(), 1u);
    std::string spelled = tokens.front();
    for (std::size_t i = 1; i < tokens.size(); ++i) {
        ASSERT_EQ(tokens[i].rfind("##", 0), 0u) << tokens[i];
        spelled += tokens[i].substr(2);
    }
    EXPECT_EQ(spelled, letters);
}

} // namespace
} // namespace spw
