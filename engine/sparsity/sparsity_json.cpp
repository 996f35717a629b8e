// Reading and writing sparsity configurations in ds_config spelling (format in sparsity_config.h). One table lists
// every key, the modes it applies to, and how it is read and written, so that the reader and the writer agree.
#include "sparsity/sparsity_config.h"

#include "common/durable_files.h"
#include "common/error.h"
#include "common/file_reading.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <climits>

namespace spw {
namespace {

using nlohmann::json;
using Mode = SparsityMode;

constexpr const char* kSparseAttention = "sparse_attention";

std::string shortDump(const json& value)
{
    std::string text = value.dump();
    return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

int readInt(const json& value, const char* key)
{
    if (!value.is_number_integer())
        fail("{} must be an integer, got {}", key, shortDump(value));
    if (value.is_number_unsigned() ? value.get<std::uint64_t>() > std::uint64_t(INT_MAX)
                                   : value.get<std::int64_t>() < INT_MIN || value.get<std::int64_t>() > INT_MAX)
        fail("{} ({}) is out of range", key, shortDump(value));
    return int(value.get<std::int64_t>());
}

bool readBool(const json& value, const char* key)
{
    if (!value.is_boolean())
        fail("{} must be true or false, got {}", key, shortDump(value));
    return value.get<bool>();
}

std::vector<int> readIntList(const json& value, const char* key)
{
    if (!value.is_array())
        fail("{} must be a list of integers, got {}", key, shortDump(value));
    std::vector<int> result;
    for (const auto& item : value) {
        if (!item.is_number_integer())
            fail("{} must be a list of integers, got {}", key, shortDump(value));
        result.push_back(readInt(item, key));
    }
    return result;
}

AttentionDirection readAttention(const json& value)
{
    if (value == "bidirectional")
        return AttentionDirection::Bidirectional;
    if (value == "unidirectional")
        return AttentionDirection::Unidirectional;
    fail("attention must be \"bidirectional\" or \"unidirectional\", got {}", shortDump(value));
}

std::uint64_t readSeed(const json& value)
{
    if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<std::int64_t>() < 0))
        fail("seed must be a non-negative integer, got {}", shortDump(value));
    return value.get<std::uint64_t>();
}

struct Key {
    const char* name;
    std::vector<Mode> modes; // empty: every mode
    void (*read)(const json&, SparsityConfig&);
    void (*write)(const SparsityConfig&, json&); // may leave the key out (an unset optional)

    bool appliesTo(Mode mode) const
    {
        return modes.empty() || std::find(modes.begin(), modes.end(), mode) != modes.end();
    }
};

// DeepSpeed's ds_config vocabulary (runtime/config.py get_sparse_*_config) plus num_heads and seed; "attention"
// also applies to bigbird, bslongformer and local, whose DeepSpeed classes take it. "mode" is handled apart.
const std::vector<Key>& keys()
{
    static const std::vector<Key> table = {
        { "block", {}, [](const json& v, SparsityConfig& c) { c.block = readInt(v, "block"); },
            [](const SparsityConfig& c, json& j) { j["block"] = c.block; } },
        { "different_layout_per_head", { Mode::Fixed, Mode::Variable, Mode::BigBird, Mode::BSLongformer },
            [](const json& v, SparsityConfig& c) {
                c.differentLayoutPerHead = readBool(v, "different_layout_per_head");
            },
            [](const SparsityConfig& c, json& j) { j["different_layout_per_head"] = c.differentLayoutPerHead; } },
        { "num_heads", {},
            [](const json& v, SparsityConfig& c) {
                c.numHeads = readInt(v, "num_heads");
                if (c.numHeads <= 0)
                    fail("num_heads ({}) must be positive", c.numHeads);
            },
            [](const SparsityConfig& c, json& j) {
                if (c.numHeads > 0)
                    j["num_heads"] = c.numHeads;
            } },
        { "num_local_blocks", { Mode::Fixed },
            [](const json& v, SparsityConfig& c) { c.numLocalBlocks = readInt(v, "num_local_blocks"); },
            [](const SparsityConfig& c, json& j) { j["num_local_blocks"] = c.numLocalBlocks; } },
        { "num_global_blocks", { Mode::Fixed, Mode::BigBird },
            [](const json& v, SparsityConfig& c) { c.numGlobalBlocks = readInt(v, "num_global_blocks"); },
            [](const SparsityConfig& c, json& j) { j["num_global_blocks"] = c.numGlobalBlocks; } },
        { "attention", { Mode::Fixed, Mode::Variable, Mode::BigBird, Mode::BSLongformer, Mode::Local },
            [](const json& v, SparsityConfig& c) { c.attention = readAttention(v); },
            [](const SparsityConfig& c, json& j) {
                j["attention"] = c.attention == AttentionDirection::Bidirectional ? "bidirectional" : "unidirectional";
            } },
        { "horizontal_global_attention", { Mode::Fixed, Mode::Variable },
            [](const json& v, SparsityConfig& c) {
                c.horizontalGlobalAttention = readBool(v, "horizontal_global_attention");
            },
            [](const SparsityConfig& c, json& j) { j["horizontal_global_attention"] = c.horizontalGlobalAttention; } },
        { "num_different_global_patterns", { Mode::Fixed },
            [](const json& v, SparsityConfig& c) {
                c.numDifferentGlobalPatterns = readInt(v, "num_different_global_patterns");
            },
            [](const SparsityConfig& c, json& j) {
                j["num_different_global_patterns"] = c.numDifferentGlobalPatterns;
            } },
        { "num_random_blocks", { Mode::Variable, Mode::BigBird },
            [](const json& v, SparsityConfig& c) { c.numRandomBlocks = readInt(v, "num_random_blocks"); },
            [](const SparsityConfig& c, json& j) { j["num_random_blocks"] = c.numRandomBlocks; } },
        { "local_window_blocks", { Mode::Variable },
            [](const json& v, SparsityConfig& c) { c.localWindowBlocks = readIntList(v, "local_window_blocks"); },
            [](const SparsityConfig& c, json& j) { j["local_window_blocks"] = c.localWindowBlocks; } },
        { "global_block_indices", { Mode::Variable, Mode::BSLongformer },
            [](const json& v, SparsityConfig& c) { c.globalBlockIndices = readIntList(v, "global_block_indices"); },
            [](const SparsityConfig& c, json& j) { j["global_block_indices"] = c.globalBlockIndices; } },
        { "global_block_end_indices", { Mode::Variable, Mode::BSLongformer },
            [](const json& v, SparsityConfig& c) {
                if (v.is_null())
                    c.globalBlockEndIndices.reset();
                else
                    c.globalBlockEndIndices = readIntList(v, "global_block_end_indices");
            },
            [](const SparsityConfig& c, json& j) {
                j["global_block_end_indices"]
                    = c.globalBlockEndIndices ? json(*c.globalBlockEndIndices) : json(nullptr);
            } },
        { "num_sliding_window_blocks", { Mode::BigBird, Mode::BSLongformer, Mode::Local },
            [](const json& v, SparsityConfig& c) {
                c.numSlidingWindowBlocks = readInt(v, "num_sliding_window_blocks");
            },
            [](const SparsityConfig& c, json& j) { j["num_sliding_window_blocks"] = c.numSlidingWindowBlocks; } },
        { "seed", {}, [](const json& v, SparsityConfig& c) { c.seed = readSeed(v); },
            [](const SparsityConfig& c, json& j) {
                if (c.seed)
                    j["seed"] = *c.seed;
            } },
    };
    return table;
}

std::string modeList()
{
    std::string names;
    for (Mode mode : allModes())
        names += fmt::format("{}{}", names.empty() ? "" : ", ", modeName(mode));
    return names;
}

SparsityConfig readObject(const json& object)
{
    if (!object.is_object())
        fail("{} must be a JSON object, got {}", kSparseAttention, shortDump(object));
    Mode mode = Mode::Fixed; // ds_config's default mode
    if (auto it = object.find("mode"); it != object.end()) {
        if (!it->is_string())
            fail("mode must be a string, got {}", shortDump(*it));
        auto parsed = modeFromName(it->get<std::string>());
        if (!parsed)
            fail("unknown sparsity mode \"{}\" (mode must be one of {})", it->get<std::string>(), modeList());
        mode = *parsed;
    }
    SparsityConfig config = defaultsFor(mode);
    SparsityConfig ignored = defaultsFor(mode);
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == "mode")
            continue;
        auto key = std::find_if(keys().begin(), keys().end(), [&](const Key& k) { return it.key() == k.name; });
        if (key == keys().end())
            fail("unknown key \"{}\" in {}", it.key(), kSparseAttention);
        // A key of another mode is checked for its type, then ignored, as DeepSpeed ignores it.
        key->read(it.value(), key->appliesTo(mode) ? config : ignored);
    }
    validate(config);
    return config;
}

} // namespace

SparsityConfig sparsityConfigFromJson(const json& document)
{
    if (document.is_object() && document.contains(kSparseAttention))
        return readObject(document.at(kSparseAttention));
    return readObject(document);
}

SparsityConfig loadSparsityConfig(const std::string& path)
{
    const json document = readJsonFile(path);
    try {
        return sparsityConfigFromJson(document);
    } catch (const Error& e) {
        fail("{}: {}", path, e.what());
    }
}

json sparsityConfigToJson(const SparsityConfig& config)
{
    json object = json::object();
    object["mode"] = modeName(config.mode);
    for (const auto& key : keys())
        if (key.appliesTo(config.mode))
            key.write(config, object);
    return object;
}

void saveSparsityConfig(const SparsityConfig& config, const std::string& path)
{
    writeFileAtomically(path, sparsityConfigToJson(config).dump(2) + '\n');
}

} // namespace spw
