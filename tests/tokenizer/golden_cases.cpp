#include "golden_cases.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <stdexcept>

namespace spw::test {

const nlohmann::json& goldenData()
{
    static const nlohmann::json data = [] {
        std::ifstream in(tokenizerFixture("golden.json"));
        if (!in)
            throw std::runtime_error("cannot read golden.json");
        return nlohmann::json::parse(in);
    }();
    return data;
}

std::string tokenizerFixture(const std::string& folder)
{
    return std::string(SPW_FIXTURES_DIR) + "/tokenizers/" + folder;
}

std::vector<std::string> goldenFolders()
{
    std::vector<std::string> folders;
    for (const auto& [name, value] : goldenData()["folders"].items())
        folders.push_back(name);
    return folders;
}

const nlohmann::json& goldenCases(const std::string& folder)
{
    return goldenData()["folders"][folder]["variants"]["auto"]["cases"];
}

const nlohmann::json& goldenCase(const std::string& folder, const std::string& name)
{
    for (const auto& c : goldenCases(folder))
        if (c["name"] == name)
            return c;
    throw std::runtime_error("no golden case " + name);
}

std::size_t byteOffset(const std::string& text, std::size_t index)
{
    std::size_t pos = 0;
    for (std::size_t i = 0; i < index && pos < text.size(); ++i) {
        auto lead = static_cast<unsigned char>(text[pos]);
        pos += lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    }
    return pos;
}

namespace {

std::string trimmed(const std::string& s)
{
    auto begin = s.find_first_not_of(" \t\n");
    auto end = s.find_last_not_of(" \t\n");
    return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
}

template <typename T> std::string listDiff(const char* what, const std::vector<T>& ours, const nlohmann::json& golden)
{
    auto expected = golden.get<std::vector<T>>();
    if (ours == expected)
        return {};
    return fmt::format(
        "{} differ: ours [{}] vs transformers [{}]", what, fmt::join(ours, ", "), fmt::join(expected, ", "));
}

} // namespace

std::string compareWithGolden(
    const Encoding& encoding, const nlohmann::json& golden, const std::vector<std::string>& texts)
{
    for (auto diff : { listDiff("input_ids", encoding.ids, golden["input_ids"]),
             listDiff("token_type_ids", encoding.typeIds, golden["token_type_ids"]),
             listDiff("attention_mask", encoding.attentionMask, golden["attention_mask"]) })
        if (!diff.empty())
            return diff;
    auto tokens = golden["tokens"].get<std::vector<std::string>>();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        // transformers spells an added token matched with lstrip/rstrip with the spaces it swallowed.
        if (encoding.tokens[i] != tokens[i] && encoding.tokens[i] != trimmed(tokens[i]))
            return fmt::format("token {} differs: ours '{}' vs transformers '{}'", i, encoding.tokens[i], tokens[i]);
    }
    if (!golden["offsets"].is_array())
        return {};
    for (std::size_t i = 0; i < encoding.size(); ++i) {
        auto expected = golden["offsets"][i].get<std::vector<std::size_t>>();
        std::pair<std::size_t, std::size_t> bytes { 0, 0 };
        int sequence = encoding.sequenceIds[i];
        if (sequence >= 0)
            bytes = { byteOffset(texts[sequence], expected[0]), byteOffset(texts[sequence], expected[1]) };
        if (encoding.offsets[i] != bytes)
            return fmt::format("offsets of token {} ('{}') differ: ours [{}, {}) vs transformers [{}, {}) bytes", i,
                encoding.tokens[i], encoding.offsets[i].first, encoding.offsets[i].second, bytes.first, bytes.second);
    }
    return {};
}

} // namespace spw::test
