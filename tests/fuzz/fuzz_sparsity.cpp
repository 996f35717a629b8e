// Fuzzes sparsity configurations (engine/sparsity/sparsity_config.h) through the file reader `layout` and
// `--sparsity` use, then builds the layout at a few bounded lengths. Checked besides the sanitizers: a configuration
// survives its own writer; layouts are deterministic, their topLeft is their corner, they carry their fingerprint and
// hold 0/1 with a source exactly where they are 1, and are lower-triangular where the mode promises it (bigbird,
// bslongformer, local when unidirectional; fixed and variable put global blocks above the diagonal, as DeepSpeed does);
// a length that is not a multiple of the block is refused.
#include "fuzz_support.h"

#include "sparsity/layout.h"
#include "sparsity/sparsity_config.h"

#include <nlohmann/json.hpp>

namespace {

using spw::fuzz::finding;

// The harness bounds the layout (heads x blocks²), not the engine: a configuration may name any number of heads.
constexpr int kMaxHeads = 8;
constexpr int kBlockCounts[] = { 1, 2, 5, 16 };

bool promisesLowerTriangle(const spw::SparsityConfig& config)
{
    using spw::SparsityMode;
    return config.attention == spw::AttentionDirection::Unidirectional
        && (config.mode == SparsityMode::BigBird || config.mode == SparsityMode::BSLongformer
            || config.mode == SparsityMode::Local);
}

void checkLayout(const spw::SparsityConfig& config, const spw::Layout& layout, int numBlocks)
{
    if (layout.numBlocks != numBlocks || layout.block != config.block
        || layout.mask.size() != std::size_t(layout.numHeads) * numBlocks * numBlocks
        || layout.source.size() != layout.mask.size())
        finding("layout has the wrong shape");
    if (layout.fingerprint != spw::computeFingerprint(layout))
        finding("layout's fingerprint does not match its mask");
    for (int head = 0; head < layout.numHeads; ++head)
        for (int row = 0; row < numBlocks; ++row)
            for (int col = 0; col < numBlocks; ++col) {
                const auto i = layout.index(head, row, col);
                if (layout.mask[i] > 1 || (layout.mask[i] == 1) != (layout.source[i] != spw::BlockSource::None))
                    finding("layout mask and block sources disagree");
                if (layout.mask[i] && col > row && promisesLowerTriangle(config))
                    finding("unidirectional layout has a block above the diagonal");
            }
}

void buildLayouts(const spw::SparsityConfig& config)
{
    const int heads = config.numHeads >= 1 && config.numHeads <= kMaxHeads ? 0 : 3;
    const std::uint64_t seed = config.seed.value_or(7);
    for (int numBlocks : kBlockCounts) {
        const std::int64_t seqLen = std::int64_t(config.block) * numBlocks;
        spw::fuzz::expectEngineErrorsOnly([&] {
            const spw::Layout layout = spw::makeLayout(config, seqLen, heads, seed);
            checkLayout(config, layout, numBlocks);
            if (spw::makeLayout(config, seqLen, heads, seed).mask != layout.mask)
                finding("the same configuration, length and seed gave two layouts");
            const int cornerBlocks = (numBlocks + 1) / 2;
            const spw::Layout corner = layout.topLeft(cornerBlocks);
            checkLayout(config, corner, cornerBlocks);
            for (int head = 0; head < layout.numHeads; ++head)
                for (int row = 0; row < cornerBlocks; ++row)
                    for (int col = 0; col < cornerBlocks; ++col)
                        if (corner.at(head, row, col) != layout.at(head, row, col))
                            finding("topLeft is not the layout's corner");
        });
    }
    if (config.block > 1) {
        bool refused = false;
        try {
            spw::makeLayout(config, std::int64_t(config.block) + 1, heads, seed);
        } catch (const spw::Error&) {
            refused = true;
        }
        if (!refused)
            finding("a length that is not a multiple of the block was accepted");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = spw::fuzz::scratchFolder() + "/sparsity.json";
    spw::fuzz::writeFile(path, data, size);
    spw::fuzz::expectEngineErrorsOnly([&] {
        const spw::SparsityConfig config = spw::loadSparsityConfig(path);
        if (!(spw::sparsityConfigFromJson(spw::sparsityConfigToJson(config)) == config))
            finding("the configuration changed when written and read again");
        buildLayouts(config);
    });
    return 0;
}
