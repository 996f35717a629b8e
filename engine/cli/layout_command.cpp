// `sparse-workbench-cli layout`: the block layout a sparsity configuration gives at one sequence length, as JSON.
#include "cli/commands.h"

#include "common/error.h"
#include "sparsity/layout.h"
#include "sparsity/sparsity_config.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <ostream>

namespace spw::cli {
namespace {

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

    const Layout layout = makeLayout(config, seqLen, heads, seed);
    nlohmann::json matrix = nlohmann::json::array();
    for (int head = 0; head < layout.numHeads; ++head) {
        nlohmann::json rows = nlohmann::json::array();
        for (int row = 0; row < layout.numBlocks; ++row) {
            nlohmann::json cols = nlohmann::json::array();
            for (int col = 0; col < layout.numBlocks; ++col)
                cols.push_back(layout.at(head, row, col) ? 1 : 0);
            rows.push_back(std::move(cols));
        }
        matrix.push_back(std::move(rows));
    }
    const nlohmann::json result = { { "mode", modeName(config.mode) }, { "block", layout.block },
        { "num_heads", layout.numHeads }, { "num_blocks", layout.numBlocks }, { "seq_len", layout.seqLen() },
        { "density", computeStats(layout).density }, { "layout", std::move(matrix) } };
    out << result.dump() << '\n';
    return 0;
}

} // namespace

Command layoutCommand()
{
    CommandSpec spec { "layout", "Print the block layout of a sparsity configuration as JSON", "", 0, 0,
        { { "config", "CONFIG.json", "sparsity configuration (a ds_config or its sparse_attention object)" },
            { "seq-len", "L", "sequence length in tokens (a multiple of the block)" },
            { "heads", "N", "number of heads (default: the configuration's num_heads)" },
            { "seed", "S", "seed of the random blocks (default: the configuration's seed, else 0)" } } };
    return { spec, runLayout };
}

} // namespace spw::cli
