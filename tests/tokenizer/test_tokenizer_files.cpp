// Malformed or missing tokenizer files: each is an spw::Error whose message names the file (and line or key).
#include "common/error.h"
#include "common/temp_dir.h"
#include "golden_cases.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace spw {
namespace {

namespace fs = std::filesystem;

class TokenizerFilesTest : public ::testing::Test {
protected:
    void SetUp() override { m_dir = test::makeTempDir("spw-tokenizer-files"); }
    void TearDown() override { fs::remove_all(m_dir); }

    void write(const std::string& name, const std::string& content)
    {
        std::ofstream(fs::path(m_dir) / name, std::ios::binary) << content;
    }
    void copyFixture(const std::string& folder, const std::string& name)
    {
        fs::copy_file(fs::path(test::tokenizerFixture(folder)) / name, fs::path(m_dir) / name);
    }
    // The message of the spw::Error that loading throws ("" when it does not throw).
    // A fixture folder's tokenizer.json, to mutate into a hostile one.
    static nlohmann::json fixture(const std::string& folder)
    {
        std::ifstream in(fs::path(test::tokenizerFixture(folder)) / "tokenizer.json");
        return nlohmann::json::parse(in);
    }
    std::string loadError()
    {
        try {
            Tokenizer::load(m_dir);
        } catch (const Error& e) {
            return e.what();
        }
        return {};
    }

    std::string m_dir;
};

TEST_F(TokenizerFilesTest, FolderWithoutTokenizerFilesNamesWhatWasLookedFor)
{
    write("config.json", "{}");
    EXPECT_FALSE(Tokenizer::hasTokenizerFiles(m_dir));
    auto message = loadError();
    EXPECT_NE(message.find(m_dir), std::string::npos) << message;
    EXPECT_NE(message.find("tokenizer.json"), std::string::npos) << message;
    EXPECT_NE(message.find("vocab.txt"), std::string::npos) << message;
    EXPECT_NE(message.find("merges.txt"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, MissingFolderIsNamed)
{
    fs::remove_all(m_dir);
    auto message = loadError();
    EXPECT_NE(message.find(m_dir), std::string::npos) << message;
    fs::create_directory(m_dir);
}

TEST_F(TokenizerFilesTest, VocabJsonThatIsNotJson)
{
    write("vocab.json", "{\"<s>\": 0, \"a\": ");
    copyFixture("roberta_vocab", "merges.txt");
    auto message = loadError();
    EXPECT_NE(message.find("vocab.json"), std::string::npos) << message;
    EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, VocabJsonWithANonIntegerId)
{
    write("vocab.json", "{\"<s>\": 0, \"a\": \"one\"}");
    write("merges.txt", "#version: 0.2\n");
    auto message = loadError();
    EXPECT_NE(message.find("vocab.json"), std::string::npos) << message;
    EXPECT_NE(message.find("\"a\""), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, VocabJsonWithoutMerges)
{
    copyFixture("roberta_vocab", "vocab.json");
    auto message = loadError();
    EXPECT_NE(message.find("merges.txt"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, MalformedMergesLineIsNamedWithItsLineNumber)
{
    copyFixture("roberta_vocab", "vocab.json");
    write("merges.txt", "#version: 0.2\nĠ t\nh e l\n");
    auto message = loadError();
    EXPECT_NE(message.find("merges.txt line 3"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, MergeOfUnknownTokensIsNamed)
{
    copyFixture("roberta_vocab", "vocab.json");
    write("merges.txt", "#version: 0.2\nĠ t\nqqq zzz\n");
    auto message = loadError();
    EXPECT_NE(message.find("merges.txt"), std::string::npos) << message;
    EXPECT_NE(message.find("merge 2"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, TokenizerJsonOfAnUnknownModelType)
{
    nlohmann::json file = { { "model", { { "type", "Unigram" }, { "vocab", nlohmann::json::object() } } } };
    write("tokenizer.json", file.dump());
    auto message = loadError();
    EXPECT_NE(message.find("tokenizer.json"), std::string::npos) << message;
    EXPECT_NE(message.find("Unigram"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, TokenizerJsonThatIsNotJson)
{
    write("tokenizer.json", "{\"model\": [");
    auto message = loadError();
    EXPECT_NE(message.find("tokenizer.json: not valid JSON"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, TokenizerJsonWithAnUnsupportedNormalizer)
{
    std::ifstream in(fs::path(test::tokenizerFixture("bert_json")) / "tokenizer.json");
    auto file = nlohmann::json::parse(in);
    file["normalizer"] = { { "type", "Precompiled" } };
    write("tokenizer.json", file.dump());
    auto message = loadError();
    EXPECT_NE(message.find("tokenizer.json"), std::string::npos) << message;
    EXPECT_NE(message.find("Precompiled"), std::string::npos) << message;
}

// Optional fields with the wrong JSON type are input mistakes like any other: an spw::Error naming the file and
// the key, not a JSON library exception.
TEST_F(TokenizerFilesTest, TokenizerJsonOptionalFieldsOfTheWrongTypeAreNamed)
{
    struct Case {
        std::string folder;
        nlohmann::json::json_pointer field;
        nlohmann::json value;
        std::string named;
    };
    const std::vector<Case> cases = {
        { "bert_json", nlohmann::json::json_pointer("/normalizer/lowercase"), "yes", "'lowercase'" },
        { "bert_json", nlohmann::json::json_pointer("/normalizer/clean_text"), 1, "'clean_text'" },
        { "bert_json", nlohmann::json::json_pointer("/added_tokens/0/special"), "true", "'special'" },
        { "bert_json", nlohmann::json::json_pointer("/post_processor/single/0/SpecialToken/type_id"), "0", "type_id" },
        { "bert_json", nlohmann::json::json_pointer("/post_processor/special_tokens/[CLS]/ids/0"), "101",
            "special_tokens.[CLS]" },
        { "roberta_json", nlohmann::json::json_pointer("/pre_tokenizer/add_prefix_space"), "no", "'add_prefix_space'" },
        { "roberta_json", nlohmann::json::json_pointer("/post_processor/trim_offsets"), 0, "'trim_offsets'" },
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.folder + " " + c.field.to_string());
        nlohmann::json file = fixture(c.folder);
        ASSERT_TRUE(file.contains(c.field.parent_pointer())) << "fixture shape changed";
        file[c.field] = c.value;
        write("tokenizer.json", file.dump());
        const std::string message = loadError();
        EXPECT_NE(message.find("tokenizer.json"), std::string::npos) << message;
        EXPECT_NE(message.find(c.named), std::string::npos) << message;
    }
}

// A hostile id would index out of bounds (a negative one) or size the id table (1e9): each is refused, naming the
// file and the key it came from.
TEST_F(TokenizerFilesTest, TokenizerJsonIdsOutsideTheVocabularyAreNamed)
{
    struct Case {
        std::string folder;
        nlohmann::json::json_pointer field;
        std::int64_t id;
        std::string named;
    };
    const std::vector<Case> cases = {
        { "bert_json", nlohmann::json::json_pointer("/added_tokens/0/id"), -1, "'added_tokens' id of \"[PAD]\"" },
        { "bert_json", nlohmann::json::json_pointer("/added_tokens/4/id"), 1000000000, "'added_tokens'" },
        { "bert_json", nlohmann::json::json_pointer("/model/vocab/the"), -3, "'model.vocab' id of \"the\"" },
        { "bert_json", nlohmann::json::json_pointer("/model/vocab/the"), 1000000000, "'model.vocab' id of \"the\"" },
        // 2,000 vocabulary entries, 5 of them also added tokens: 2,005 is the first id past the limit.
        { "bert_json", nlohmann::json::json_pointer("/model/vocab/the"), 2005, "'model.vocab' id of \"the\"" },
        { "bert_json", nlohmann::json::json_pointer("/post_processor/special_tokens/[CLS]/ids/0"), -2,
            "'post_processor.special_tokens.[CLS]'" },
        { "roberta_json", nlohmann::json::json_pointer("/post_processor/cls/1"), 1000000000, "'post_processor.cls'" },
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.folder + " " + c.field.to_string() + " = " + std::to_string(c.id));
        nlohmann::json file = fixture(c.folder);
        ASSERT_TRUE(file.contains(c.field)) << "fixture shape changed";
        file[c.field] = c.id;
        write("tokenizer.json", file.dump());
        const std::string message = loadError();
        EXPECT_NE(message.find("tokenizer.json: "), std::string::npos) << message;
        EXPECT_NE(message.find(c.named), std::string::npos) << message;
        EXPECT_NE(message.find("is " + std::to_string(c.id) + ","), std::string::npos) << message;
    }
}

TEST_F(TokenizerFilesTest, TokenizerJsonIdsUpToTheNumberOfTokensAreAccepted)
{
    std::ifstream in(fs::path(test::tokenizerFixture("bert_json")) / "tokenizer.json");
    auto file = nlohmann::json::parse(in);
    // A file may leave holes in its ids, as long as the largest stays below the number of tokens it defines.
    file["model"]["vocab"]["the"] = 2004;
    write("tokenizer.json", file.dump());
    auto tokenizer = Tokenizer::load(m_dir);
    EXPECT_EQ(tokenizer->tokenToId("the"), 2004);
    EXPECT_EQ(tokenizer->vocabSize(), 2005);
}

TEST_F(TokenizerFilesTest, VocabJsonIdsOutsideTheVocabularyAreNamed)
{
    copyFixture("roberta_vocab", "merges.txt");
    for (const std::string id : { "-1", "1000000000", "3" }) {
        SCOPED_TRACE(id);
        write("vocab.json", "{\"<s>\": 0, \"a\": " + id + ", \"b\": 1}");
        const std::string message = loadError();
        EXPECT_NE(message.find("vocab.json: the id of token \"a\" is " + id + ", outside 0..2"), std::string::npos)
            << message;
    }
}

TEST_F(TokenizerFilesTest, AddedTokensDecoderIdsOutsideTheVocabularyAreNamed)
{
    copyFixture("bert_vocab", "vocab.txt");
    // vocab.txt has 2,000 tokens and the decoder below 1 more: 2,001 ids in all.
    for (const std::string key : { "1000000000", "2001" }) {
        SCOPED_TRACE(key);
        write("tokenizer_config.json", "{\"added_tokens_decoder\": {\"" + key + "\": {\"content\": \"[NEW]\"}}}");
        const std::string message = loadError();
        EXPECT_NE(message.find("tokenizer_config.json: "), std::string::npos) << message;
        EXPECT_NE(message.find("'added_tokens_decoder' id of \"[NEW]\" is " + key + ","), std::string::npos) << message;
    }
    write("tokenizer_config.json", "{\"added_tokens_decoder\": {\"2000\": {\"content\": \"[NEW]\"}}}");
    EXPECT_EQ(Tokenizer::load(m_dir)->tokenToId("[NEW]"), 2000);
}

TEST_F(TokenizerFilesTest, AddedTokensDecoderKeysThatAreNotIdsAreNamed)
{
    copyFixture("bert_vocab", "vocab.txt");
    for (const std::string key : { "-7", "7abc", "", "+7", "99999999999999999999", "1e3" }) {
        SCOPED_TRACE(key);
        write("tokenizer_config.json", "{\"added_tokens_decoder\": {\"" + key + "\": {\"content\": \"[NEW]\"}}}");
        const std::string message = loadError();
        EXPECT_NE(message.find("tokenizer_config.json: 'added_tokens_decoder' key \"" + key + "\" is not a token id"),
            std::string::npos)
            << message;
    }
}

// An empty [CLS], [SEP] or [UNK] cannot be matched in a text nor stand for an id: refused, naming the file and key.
TEST_F(TokenizerFilesTest, EmptyRequiredSpecialTokensAreNamed)
{
    struct Case {
        std::string folder;
        std::string file;
        std::string key;
    };
    const std::vector<Case> cases = {
        { "bert_vocab", "tokenizer_config.json", "cls_token" },
        { "bert_vocab", "tokenizer_config.json", "sep_token" },
        { "bert_vocab", "tokenizer_config.json", "unk_token" },
        { "bert_vocab", "special_tokens_map.json", "sep_token" },
        { "roberta_vocab", "tokenizer_config.json", "cls_token" },
        { "roberta_vocab", "special_tokens_map.json", "sep_token" },
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.folder + " " + c.file + " " + c.key);
        fs::remove_all(m_dir);
        fs::copy(test::tokenizerFixture(c.folder), m_dir);
        std::ifstream in(fs::path(m_dir) / c.file);
        auto json = nlohmann::json::parse(in);
        in.close();
        json.erase(c.key);
        if (c.file == "special_tokens_map.json") {
            // The config names a token before the map does, so the map's only counts where the config is silent.
            std::ifstream configIn(fs::path(m_dir) / "tokenizer_config.json");
            auto config = nlohmann::json::parse(configIn);
            configIn.close();
            config.erase(c.key);
            write("tokenizer_config.json", config.dump());
        }
        json[c.key] = "";
        write(c.file, json.dump());
        const std::string message = loadError();
        EXPECT_NE(message.find(c.file + ": '" + c.key + "' is empty"), std::string::npos) << message;
    }
}

// The tokenizer can do without a mask or padding token: an empty one is left out, as tokenizers leaves out an empty
// added token.
TEST_F(TokenizerFilesTest, EmptyOptionalSpecialTokensAreLeftOut)
{
    copyFixture("bert_vocab", "vocab.txt");
    write("tokenizer_config.json", "{\"mask_token\": \"\", \"pad_token\": \"\"}");
    auto tokenizer = Tokenizer::load(m_dir);
    EXPECT_EQ(tokenizer->encode("a").tokens, (std::vector<std::string> { "[CLS]", "a", "[SEP]" }));
    EXPECT_FALSE(tokenizer->padTokenId().has_value());
}

TEST_F(TokenizerFilesTest, TokenizerConfigWithABadMaxLengthNamesTheKey)
{
    copyFixture("bert_vocab", "vocab.txt");
    write("tokenizer_config.json", "{\"model_max_length\": \"long\"}");
    auto message = loadError();
    EXPECT_NE(message.find("tokenizer_config.json"), std::string::npos) << message;
    EXPECT_NE(message.find("model_max_length"), std::string::npos) << message;
}

TEST_F(TokenizerFilesTest, TransformersUnsetMaxLengthMeansNone)
{
    copyFixture("bert_vocab", "vocab.txt");
    write("tokenizer_config.json", "{\"model_max_length\": 1000000000000000019884624838656}");
    auto tokenizer = Tokenizer::load(m_dir);
    EXPECT_FALSE(tokenizer->modelMaxLength().has_value());
    EXPECT_THROW(
        tokenizer->encode("padding needs a length", std::nullopt, { true, std::nullopt, Padding::MaxLength }), Error);
}

TEST_F(TokenizerFilesTest, MaxLengthShorterThanTheSpecialTokensIsAnError)
{
    auto tokenizer = Tokenizer::load(test::tokenizerFixture("bert_vocab"));
    EXPECT_THROW(tokenizer->encode("a", std::string("b"), { true, 2, Padding::None }), Error);
    EXPECT_EQ(tokenizer->encode("a", std::string("b"), { true, 3, Padding::None }).ids.size(), 3u);
}

TEST_F(TokenizerFilesTest, InvalidUtf8TextIsAnError)
{
    auto tokenizer = Tokenizer::load(test::tokenizerFixture("roberta_vocab"));
    EXPECT_THROW(tokenizer->encode("bad \xff byte"), Error);
}

} // namespace
} // namespace spw
