#include "quality/evaluation_text.h"

#include "common/error.h"
#include "common/file_reading.h"
#include "common/utf8_text.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <filesystem>

namespace spw {
namespace {

namespace fs = std::filesystem;

bool isVisibleAscii(char c)
{
    return c > ' ' && c < 0x7f;
}

// The end of the piece that starts at `begin`: the first place at or after begin + pieceBytes where a single space
// sits between two visible ASCII characters (the piece ends before the space), else the end of the text.
std::size_t pieceEnd(const std::string& text, std::size_t begin, std::size_t pieceBytes)
{
    for (std::size_t i = std::max<std::size_t>(begin + pieceBytes, 1); i + 1 < text.size(); ++i)
        if (text[i] == ' ' && isVisibleAscii(text[i - 1]) && isVisibleAscii(text[i + 1]))
            return i;
    return text.size();
}

bool limitReached(const TokenizedText& corpus, std::optional<std::int64_t> maxTokens)
{
    return maxTokens && corpus.tokenCount >= *maxTokens;
}

} // namespace

std::vector<std::string> evaluationTextFiles(const std::string& path)
{
    std::error_code error;
    if (!fs::is_directory(path, error))
        return { path }; // a missing or unreadable file is named by the read
    std::vector<std::string> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(path, error))
        if (entry.path().extension() == ".txt" && entry.is_regular_file(error))
            files.push_back(entry.path().string());
    if (error)
        fail("{}: cannot list the folder ({})", path, error.message());
    if (files.empty())
        fail("{}: the folder holds no .txt file", path);
    std::sort(files.begin(), files.end());
    return files;
}

void appendTokenizedText(TokenizedText& corpus, const Tokenizer& tokenizer, const std::string& text,
    const std::string& name, std::optional<std::int64_t> maxTokens, std::size_t pieceBytes)
{
    if (text.find('\0') != std::string::npos || validUtf8(text) != text)
        fail("{}: not a text file (binary data or not UTF-8)", name);
    EncodeOptions options;
    options.addSpecialTokens = false;
    std::vector<std::int64_t> document;
    for (std::size_t begin = 0; begin < text.size() && !limitReached(corpus, maxTokens);) {
        const std::size_t end = pieceEnd(text, begin, pieceBytes);
        const Encoding encoding = tokenizer.encode(text.substr(begin, end - begin), std::nullopt, options);
        std::size_t take = encoding.ids.size();
        if (maxTokens)
            take = std::min<std::size_t>(take, std::size_t(*maxTokens - corpus.tokenCount));
        document.insert(document.end(), encoding.ids.begin(), encoding.ids.begin() + std::ptrdiff_t(take));
        corpus.tokenCount += std::int64_t(take);
        begin = end;
    }
    if (!document.empty())
        corpus.documents.push_back(std::move(document));
}

TokenizedText tokenizeEvaluationText(const std::string& path, const Tokenizer& tokenizer,
    std::optional<std::int64_t> maxTokens, const ProgressCallback& progress)
{
    const std::vector<std::string> files = evaluationTextFiles(path);
    TokenizedText corpus;
    for (std::size_t i = 0; i < files.size() && !limitReached(corpus, maxTokens); ++i) {
        reportProgress(progress, float(double(i) / double(files.size())));
        appendTokenizedText(corpus, tokenizer, readWholeFile(files[i]), files[i], maxTokens);
    }
    reportProgress(progress, 1.0f);
    if (corpus.tokenCount == 0)
        fail("{}: the text gives no tokens (empty, or only whitespace)", path);
    return corpus;
}

} // namespace spw
