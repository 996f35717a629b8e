// blockSparseAttention() over layouts made by engine/sparsity from DeepSpeed-style configurations (per-head
// layouts, random blocks, unidirectional lower-triangular patterns), against the dense reference.
#include "attention/block_sparse_attention.h"
#include "dense_reference.h"
#include "sparsity/layout.h"
#include "sparsity/sparsity_config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace spw;
using namespace spw::test;

TEST(ConfigLayouts, MatchDenseReference)
{
    SparsityConfig fixed = defaultsFor(SparsityMode::Fixed);
    fixed.attention = AttentionDirection::Unidirectional;
    fixed.differentLayoutPerHead = true;
    fixed.numDifferentGlobalPatterns = 2;
    SparsityConfig bigbird = defaultsFor(SparsityMode::BigBird);
    bigbird.numRandomBlocks = 2;
    bigbird.differentLayoutPerHead = true;
    SparsityConfig longformer = defaultsFor(SparsityMode::BSLongformer);
    SparsityConfig variable = defaultsFor(SparsityMode::Variable);
    variable.numRandomBlocks = 1;
    variable.localWindowBlocks = { 2, 3 };
    for (const SparsityConfig& config : { fixed, bigbird, longformer, variable }) {
        SCOPED_TRACE(modeName(config.mode));
        const Layout layout = makeLayout(config, 160, 3, 42);
        at::manual_seed(1);
        const at::Tensor q = at::randn({ 2, 3, 160, 40 }, at::kDouble);
        const at::Tensor k = at::randn({ 2, 3, 160, 40 }, at::kDouble);
        const at::Tensor v = at::randn({ 2, 3, 160, 40 }, at::kDouble);
        AttentionMasks masks;
        masks.keyPadding = at::zeros({ 2, 160 }, at::kDouble);
        masks.keyPadding->select(0, 1).narrow(0, 130, 30).fill_(std::numeric_limits<double>::lowest());
        const at::Tensor out = blockSparseAttention(q, k, v, layout, masks);
        const at::Tensor expected = denseReference(q, k, v, layout, masks, 1.0 / std::sqrt(40.0));
        EXPECT_LT((out - expected).abs().max().item<double>(), 1e-10);
    }
}
