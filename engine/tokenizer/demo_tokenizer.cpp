#include "tokenizer/demo_tokenizer.h"

#include "common/error.h"
#include "common/file_reading.h"
#include "tokenizer/embedded_files.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace spw {
namespace {

using nlohmann::json;

std::string bytes(const unsigned char* data, std::size_t size)
{
    return std::string(reinterpret_cast<const char*>(data), size);
}

void writeFile(const std::filesystem::path& path, const std::string& content)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out)
        fail("cannot write {}", path.string());
}

// added_tokens_decoder as transformers writes it: the special tokens are the first ids of the demo vocabularies.
json addedTokensDecoder(const std::vector<std::string>& specials, const std::string& lstripToken)
{
    json decoder = json::object();
    for (std::size_t i = 0; i < specials.size(); ++i)
        decoder[std::to_string(i)] = { { "content", specials[i] }, { "lstrip", specials[i] == lstripToken },
            { "normalized", false }, { "rstrip", false }, { "single_word", false }, { "special", true } };
    return decoder;
}

// Keep in step with bert_config / roberta_config in tests/fixtures/make_tokenizer_fixtures.py: the fixture
// folders written there are the ones transformers was checked to load.
json bertConfig(std::int64_t modelMaxLength)
{
    return { { "added_tokens_decoder", addedTokensDecoder({ "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }, "") },
        { "clean_up_tokenization_spaces", true }, { "cls_token", "[CLS]" }, { "do_lower_case", true },
        { "mask_token", "[MASK]" }, { "model_max_length", modelMaxLength }, { "pad_token", "[PAD]" },
        { "sep_token", "[SEP]" }, { "strip_accents", nullptr }, { "tokenize_chinese_chars", true },
        { "tokenizer_class", "BertTokenizer" }, { "unk_token", "[UNK]" } };
}

json robertaConfig(std::int64_t modelMaxLength)
{
    return { { "add_prefix_space", false },
        { "added_tokens_decoder", addedTokensDecoder({ "<s>", "<pad>", "</s>", "<unk>", "<mask>" }, "<mask>") },
        { "bos_token", "<s>" }, { "clean_up_tokenization_spaces", false }, { "cls_token", "<s>" },
        { "eos_token", "</s>" }, { "errors", "replace" }, { "mask_token", "<mask>" },
        { "model_max_length", modelMaxLength }, { "pad_token", "<pad>" }, { "sep_token", "</s>" },
        { "tokenizer_class", "RobertaTokenizer" }, { "trim_offsets", true }, { "unk_token", "<unk>" } };
}

json specialTokensMap(ModelFamily family)
{
    if (family == ModelFamily::Bert)
        return { { "cls_token", "[CLS]" }, { "mask_token", "[MASK]" }, { "pad_token", "[PAD]" },
            { "sep_token", "[SEP]" }, { "unk_token", "[UNK]" } };
    return { { "bos_token", "<s>" }, { "cls_token", "<s>" }, { "eos_token", "</s>" }, { "mask_token", "<mask>" },
        { "pad_token", "<pad>" }, { "sep_token", "</s>" }, { "unk_token", "<unk>" } };
}

std::int64_t countBertVocab()
{
    std::string text = bytes(embedded::kDemoBertVocab, embedded::kDemoBertVocabSize);
    std::int64_t lines = 0;
    for (char c : text)
        lines += c == '\n' ? 1 : 0;
    return lines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

std::int64_t countRobertaVocab()
{
    auto vocab = parseJson(bytes(embedded::kDemoRobertaVocab, embedded::kDemoRobertaVocabSize), "the demo vocab.json");
    std::int64_t largest = -1;
    for (const auto& [token, id] : vocab.items())
        largest = std::max(largest, id.get<std::int64_t>());
    return largest + 1;
}

} // namespace

std::int64_t demoVocabularySize(ModelFamily family)
{
    static const std::int64_t bert = countBertVocab();
    static const std::int64_t roberta = countRobertaVocab();
    return family == ModelFamily::Bert ? bert : roberta;
}

void writeDemoTokenizerFiles(const std::string& directory, ModelFamily family, std::int64_t modelMaxLength)
{
    namespace fs = std::filesystem;
    fs::path dir(directory);
    if (!fs::is_directory(dir))
        fail("cannot write the demo tokenizer: folder {} does not exist", directory);
    json config;
    if (family == ModelFamily::Bert) {
        writeFile(dir / "vocab.txt", bytes(embedded::kDemoBertVocab, embedded::kDemoBertVocabSize));
        config = bertConfig(modelMaxLength);
    } else {
        writeFile(dir / "vocab.json", bytes(embedded::kDemoRobertaVocab, embedded::kDemoRobertaVocabSize));
        writeFile(dir / "merges.txt", bytes(embedded::kDemoRobertaMerges, embedded::kDemoRobertaMergesSize));
        config = robertaConfig(modelMaxLength);
    }
    writeFile(dir / "tokenizer_config.json", config.dump(2) + "\n");
    writeFile(dir / "special_tokens_map.json", specialTokensMap(family).dump(2) + "\n");
}

} // namespace spw
