// `sparse-workbench-cli layout`: the block layout a sparsity configuration gives at one sequence length, as JSON.
#include "cli/commands.h"
#include "cli/layout_summary.h"

#include "common/error.h"
#include "sparsity/layout.h"
#include "sparsity/sparsity_config.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <ostream>

namespace spw::cli {
namespace {

// The printed matrix holds about two bytes per block. Beyond this (a 134 MB line, 4096 tokens at block 1 over four
// heads) a matrix is no longer something to read or parse whole; --summary describes any size.
constexpr std::int64_t kLargestPrintedLayout = std::int64_t(1) << 26;

void checkPrintable(std::int64_t heads, std::int64_t seqLen, std::int64_t block)
{
    if (block <= 0 || seqLen % block != 0)
        return; // makeLayout names the fields
    const std::int64_t blocks = seqLen / block;
    const double entries = double(heads) * double(blocks) * double(blocks);
    if (entries > double(kLargestPrintedLayout))
        fail("layout: the matrix would be {} heads × {}×{} blocks ({:.0f} entries, about {:.1f} MiB of JSON), more "
             "than the {} entries this command prints: use --summary, a larger block or a shorter --seq-len",
            heads, blocks, blocks, entries, 2 * entries / double(1 << 20), kLargestPrintedLayout);
}

int runLayout(const Arguments& args, std::ostream& out, std::ostream&)
{
    const std::string configPath = args.required("config");
    args.required("seq-len");
    const auto seqLen = *args.integer("seq-len", 1, std::numeric_limits<std::int32_t>::max());
    const auto headsFlag = args.integer("heads", 1, 4096);
    const auto seedFlag = args.integer("seed", 0, std::numeric_limits<std::int64_t>::max());

    const SparsityConfig config = loadSparsityConfig(configPath);
    const int heads = headsFlag ? int(*headsFlag) : config.numHeads;
    if (heads == 0)
        fail("layout: {} has no num_heads: give --heads", configPath);
    const std::uint64_t seed = seedFlag ? std::uint64_t(*seedFlag) : config.seed.value_or(0);

    if (!args.has("summary"))
        checkPrintable(heads, seqLen, config.block);
    const Layout layout = makeLayout(config, seqLen, heads, seed);
    if (args.has("summary")) {
        out << describeLayout(layout, config);
        return 0;
    }
    // Written row by row: a tree of json values would cost 16 bytes and more per block.
    const nlohmann::json fields = { { "mode", modeName(config.mode) }, { "block", layout.block },
        { "num_heads", layout.numHeads }, { "num_blocks", layout.numBlocks }, { "seq_len", layout.seqLen() },
        { "density", computeStats(layout).density } };
    out << "{\"layout\":[";
    for (int head = 0; head < layout.numHeads; ++head) {
        out << (head ? ",[" : "[");
        for (int row = 0; row < layout.numBlocks; ++row) {
            std::string line = row ? ",[" : "[";
            for (int col = 0; col < layout.numBlocks; ++col) {
                line += col ? "," : "";
                line += layout.at(head, row, col) ? '1' : '0';
            }
            out << line << ']';
        }
        out << ']';
    }
    out << "]," << fields.dump().substr(1) << '\n';
    return 0;
}

} // namespace

Command layoutCommand()
{
    CommandSpec spec { "layout", "Print the block layout of a sparsity configuration as JSON", "", 0, 0,
        { { "config", "CONFIG.json", "sparsity configuration (a ds_config or its sparse_attention object)" },
            { "seq-len", "L", "sequence length in tokens (a multiple of the block)" },
            { "heads", "N", "number of heads (default: the configuration's num_heads)" },
            { "seed", "S", "seed of the random blocks (default: the configuration's seed, else 0)" },
            { "summary", "", "print statistics and a picture of head 0 instead of JSON" } } };
    return { spec, runLayout };
}

} // namespace spw::cli
