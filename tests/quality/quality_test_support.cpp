#include "quality/quality_test_support.h"

#include "sparsity/random_source.h"

#include <filesystem>
#include <fstream>

namespace spw::test {

namespace fs = std::filesystem;

std::string makeWordModelFolder(const std::string& parent)
{
    const fs::path folder = fs::path(parent) / "word_model";
    fs::create_directories(folder);
    const fs::path fixture = fs::path(SPW_FIXTURES_DIR) / "models" / "bert_mlm";
    for (const char* name : { "config.json", "model.safetensors" })
        fs::copy_file(fixture / name, folder / name);
    std::ofstream vocab(folder / "vocab.txt");
    vocab << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
    for (std::int64_t id = kFirstWordId; id < kWordVocabSize; ++id)
        vocab << 'w' << id << '\n';
    return folder.string();
}

std::string randomWordText(std::int64_t words, std::uint64_t seed)
{
    RandomSource random(seed);
    std::string text;
    for (std::int64_t i = 0; i < words; ++i) {
        if (i > 0)
            text += random.below(12) == 0 ? '\n' : ' ';
        text += 'w' + std::to_string(kFirstWordId + std::int64_t(random.below(kWordVocabSize - kFirstWordId)));
    }
    return text;
}

} // namespace spw::test
