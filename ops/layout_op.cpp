#include "layout_op.h"

#include "torch_errors.h"

#include "sparsity/layout.h"
#include "sparsity/sparsity_config.h"

#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <limits>
#include <string>

namespace spw::ops {

at::Tensor makeLayoutOp(
    c10::string_view sparsityConfigJson, std::int64_t seqLen, std::int64_t numHeads, std::int64_t seed)
{
    TORCH_CHECK(seqLen > 0 && seqLen <= std::numeric_limits<std::int32_t>::max(),
        "make_layout: seq_len must be positive, got ", seqLen);
    TORCH_CHECK(numHeads >= 0 && numHeads <= 4096, "make_layout: num_heads must be in [0, 4096], got ", numHeads);
    TORCH_CHECK(seed >= 0, "make_layout: seed must not be negative, got ", seed);
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(sparsityConfigJson.begin(), sparsityConfigJson.end());
    } catch (const nlohmann::json::parse_error& e) {
        TORCH_CHECK(false, "make_layout: sparsity_config_json is not valid JSON: ", e.what());
    }
    const Layout layout = translatingEngineErrors([&] {
        const SparsityConfig config = sparsityConfigFromJson(json);
        const int heads = numHeads > 0 ? int(numHeads) : config.numHeads;
        if (heads == 0)
            fail("make_layout: num_heads is 0 and sparsity_config_json has no num_heads");
        return makeLayout(config, seqLen, heads, std::uint64_t(seed));
    });
    at::Tensor result = at::empty({ layout.numHeads, layout.numBlocks, layout.numBlocks }, at::kInt);
    std::int32_t* out = result.data_ptr<std::int32_t>();
    for (std::size_t i = 0; i < layout.mask.size(); ++i)
        out[i] = layout.mask[i];
    return result;
}

} // namespace spw::ops
