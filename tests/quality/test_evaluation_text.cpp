// Reading and tokenizing the evaluation text: pieces give the whole text's ids, limits, files and folders, and the
// texts that are refused.
#include "quality/evaluation_text.h"

#include "common/error.h"
#include "common/temp_dir.h"
#include "tokenizer/demo_tokenizer.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace spw {
namespace {

namespace fs = std::filesystem;

// Spaces single and double, newlines, tabs, punctuation, digits, contractions, accents and a CJK run: the places
// where cutting a text could change its tokens.
const std::string kText = "Sparse attention, as in Longformer (2020), keeps 3 blocks per row.\n\nIt's \"fast\"; "
                          "isn't it?  Yes -- the café's naïve résumé.\tTabs\tand  two  spaces. 東京 is far. "
                          "Numbers 12345 and 6.78 stay; e-mail a@b.c ends it.\n";

class EvaluationText : public ::testing::Test {
protected:
    void SetUp() override { m_dir = test::makeTempDir("spw-evaluation-text"); }
    void TearDown() override { fs::remove_all(m_dir); }

    std::unique_ptr<Tokenizer> demoTokenizer(ModelFamily family) const
    {
        const fs::path folder = fs::path(m_dir) / (family == ModelFamily::Roberta ? "roberta" : "bert");
        fs::create_directories(folder);
        writeDemoTokenizerFiles(folder.string(), family, 512);
        return Tokenizer::load(folder.string());
    }
    std::string write(const std::string& name, const std::string& content) const
    {
        const fs::path path = fs::path(m_dir) / name;
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
        return path.string();
    }

    std::string m_dir;
};

TEST_F(EvaluationText, PiecesGiveTheWholeTextsTokens)
{
    for (ModelFamily family : { ModelFamily::Bert, ModelFamily::Roberta }) {
        const auto tokenizer = demoTokenizer(family);
        EncodeOptions plain;
        plain.addSpecialTokens = false;
        const std::vector<std::int64_t> whole = tokenizer->encode(kText, std::nullopt, plain).ids;
        for (std::size_t pieceBytes : { 1, 5, 17, 64 }) {
            TokenizedText corpus;
            appendTokenizedText(corpus, *tokenizer, kText, "text", std::nullopt, pieceBytes);
            ASSERT_EQ(corpus.documents.size(), 1u);
            EXPECT_EQ(corpus.documents[0], whole) << tokenizer->kindName() << " pieces of " << pieceBytes;
            EXPECT_EQ(corpus.tokenCount, std::int64_t(whole.size()));
        }
    }
}

TEST_F(EvaluationText, MaxTokensKeepsTheFirstTokens)
{
    const auto tokenizer = demoTokenizer(ModelFamily::Bert);
    TokenizedText all;
    appendTokenizedText(all, *tokenizer, kText, "text");
    TokenizedText first;
    appendTokenizedText(first, *tokenizer, kText, "text", 7, 5);
    ASSERT_EQ(first.tokenCount, 7);
    EXPECT_EQ(first.documents[0], std::vector<std::int64_t>(all.documents[0].begin(), all.documents[0].begin() + 7));
}

TEST_F(EvaluationText, AFolderIsItsTxtFilesInNameOrder)
{
    const auto tokenizer = demoTokenizer(ModelFamily::Bert);
    write("texts/b.txt", "the second file");
    write("texts/a.txt", "the first file");
    write("texts/c.md", "not a text file of the evaluation");
    write("texts/sub/d.txt", "in a subfolder");
    write("texts/empty.txt", "  \n");
    const std::string folder = (fs::path(m_dir) / "texts").string();
    const std::vector<std::string> files = evaluationTextFiles(folder);
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(fs::path(files[0]).filename().string(), "a.txt");
    EXPECT_EQ(fs::path(files[1]).filename().string(), "b.txt");
    EXPECT_EQ(fs::path(files[2]).filename().string(), "empty.txt");
    const TokenizedText corpus = tokenizeEvaluationText(folder, *tokenizer);
    ASSERT_EQ(corpus.documents.size(), 2u); // the empty file adds no document
    EncodeOptions plain;
    plain.addSpecialTokens = false;
    EXPECT_EQ(corpus.documents[0], tokenizer->encode("the first file", std::nullopt, plain).ids);
    EXPECT_EQ(corpus.documents[1], tokenizer->encode("the second file", std::nullopt, plain).ids);
    // The limit stops in the first file.
    EXPECT_EQ(tokenizeEvaluationText(folder, *tokenizer, 2).documents.size(), 1u);
}

TEST_F(EvaluationText, RefusesTextsThatGiveNothingToScore)
{
    const auto tokenizer = demoTokenizer(ModelFamily::Bert);
    auto message = [&](const std::string& path) {
        try {
            tokenizeEvaluationText(path, *tokenizer);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const std::string empty = write("empty.txt", " \n\t ");
    EXPECT_EQ(message(empty), empty + ": the text gives no tokens (empty, or only whitespace)");
    const std::string binary = write("binary.txt", std::string("text\0more", 9));
    EXPECT_EQ(message(binary), binary + ": not a text file (binary data or not UTF-8)");
    const std::string latin1 = write("latin1.txt", "caf\xe9");
    EXPECT_EQ(message(latin1), latin1 + ": not a text file (binary data or not UTF-8)");
    const std::string noTxt = (fs::path(m_dir) / "none").string();
    fs::create_directories(noTxt);
    EXPECT_EQ(message(noTxt), noTxt + ": the folder holds no .txt file");
    EXPECT_NE(message(noTxt + "/missing.txt").find("missing.txt"), std::string::npos);
}

} // namespace
} // namespace spw
