// The kernels' lookup tables (kernels/block_sparse_attention.h), checked against the layout they come from: every
// (warp rows, 16-key slice) pair the layout allows is listed exactly once, nothing else is, split query tiles cover
// their key tiles exactly, and the work list is ordered heaviest first. Runs without a GPU.
#include "kernels/block_sparse_attention.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>

using namespace spw::kernels;

namespace {

std::vector<std::uint8_t> randomMask(int heads, int nb, double density, unsigned seed)
{
    std::mt19937 rng(seed);
    std::bernoulli_distribution on(density);
    std::vector<std::uint8_t> mask(std::size_t(heads) * nb * nb);
    for (auto& m : mask)
        m = on(rng) ? 1 : 0;
    return mask;
}

// Expected bits straight from the definition: warp w of query tile qt covers rows qt·tileM + 16w .. +15, slice s of
// key tile kt covers keys kt·tileN + 16s .. +15; the bit is set when that (row block, key block) is nonzero.
void checkLut(const std::vector<std::uint8_t>& mask, int heads, int nb, int block, TileConfig tile, int splitFactor)
{
    const LutHost lut = buildAttentionLut(mask.data(), heads, nb, block, tile, splitFactor);
    const int seqLen = nb * block;
    ASSERT_EQ(lut.numQueryTiles, (seqLen + tile.tileM - 1) / tile.tileM);
    ASSERT_EQ(lut.numKeyTiles, (seqLen + tile.tileN - 1) / tile.tileN);

    // (head, query tile, key tile) → bits, gathered over the work items.
    std::map<std::tuple<int, int, int>, std::uint32_t> seen;
    std::map<std::pair<int, int>, std::set<int>> slotsOf;
    for (std::size_t i = 0; i < lut.work.size(); ++i) {
        const WorkItem& w = lut.work[i];
        if (i > 0)
            EXPECT_GE(lut.work[i - 1].end - lut.work[i - 1].begin, w.end - w.begin) << "work not heaviest first";
        for (int e = w.begin; e < w.end; ++e) {
            auto key = std::make_tuple(w.head, w.queryTile, lut.keyTiles[e]);
            EXPECT_EQ(seen.count(key), 0u) << "key tile listed twice";
            seen[key] = lut.bits[e];
        }
        if (w.partialSlot >= 0)
            slotsOf[{w.head, w.queryTile}].insert(w.partialSlot);
    }
    for (int h = 0; h < heads; ++h)
        for (int qt = 0; qt < lut.numQueryTiles; ++qt)
            for (int kt = 0; kt < lut.numKeyTiles; ++kt) {
                std::uint32_t expected = 0;
                for (int w = 0; w < tile.warps(); ++w)
                    for (int s = 0; s < tile.slicesPerTile(); ++s) {
                        const int row = qt * tile.tileM + w * 16;
                        const int key = kt * tile.tileN + s * 16;
                        if (row < seqLen && key < seqLen &&
                            mask[(std::size_t(h) * nb + row / block) * nb + key / block])
                            expected |= 1u << (w * tile.slicesPerTile() + s);
                    }
                auto it = seen.find({h, qt, kt});
                EXPECT_EQ(it == seen.end() ? 0u : it->second, expected)
                    << "head " << h << " query tile " << qt << " key tile " << kt;
            }
    // Every split query tile has one combine group naming exactly its slots.
    int slots = 0;
    for (const CombineGroup& g : lut.combine) {
        std::set<int> expected;
        for (int s = 0; s < g.numSlots; ++s)
            expected.insert(g.firstSlot + s);
        EXPECT_EQ((slotsOf[{g.head, g.queryTile}]), expected);
        slots += g.numSlots;
    }
    EXPECT_EQ(slots, lut.numPartialSlots);
    EXPECT_EQ(slotsOf.size(), lut.combine.size());
}

} // namespace

TEST(KernelLut, RandomLayoutsEveryBlockAndTile)
{
    unsigned seed = 1;
    for (int block : {16, 32, 64, 128})
        for (int headDim : {32, 64, 128})
            for (int nb : {1, 3, 7, 13})
                checkLut(randomMask(3, nb, 0.3, seed++), 3, nb, block, tileConfigFor(headDim), 4);
}

TEST(KernelLut, HeavyRowsAreSplitAndCovered)
{
    // A global first row over 256 blocks of 16 next to a narrow diagonal: the first query tile is far heavier.
    const int nb = 256;
    std::vector<std::uint8_t> mask(std::size_t(nb) * nb, 0);
    for (int r = 0; r < nb; ++r) {
        mask[std::size_t(r) * nb + r] = 1;
        mask[std::size_t(r)] = 1;      // row 0 attends everything
        mask[std::size_t(r) * nb] = 1;  // every row attends block 0
    }
    const LutHost lut = buildAttentionLut(mask.data(), 1, nb, 16, tileConfigFor(64), 4);
    EXPECT_EQ(lut.combine.size(), 1u);
    EXPECT_GT(lut.numPartialSlots, 1);
    EXPECT_EQ(lut.combine[0].queryTile, 0);
    checkLut(mask, 1, nb, 16, tileConfigFor(64), 4);
    const LutHost unsplit = buildAttentionLut(mask.data(), 1, nb, 16, tileConfigFor(64), 0);
    EXPECT_TRUE(unsplit.combine.empty());
    EXPECT_EQ(unsplit.numPartialSlots, 0);
}

TEST(KernelLut, DenseLayoutIsNotSplit)
{
    const int nb = 64;
    std::vector<std::uint8_t> mask(std::size_t(nb) * nb, 1);
    const LutHost lut = buildAttentionLut(mask.data(), 2, nb / 2, 32, tileConfigFor(64), 4);
    EXPECT_TRUE(lut.combine.empty());
    EXPECT_EQ(lut.numEntries(), std::int64_t(2) * lut.numQueryTiles * lut.numKeyTiles);
}

TEST(KernelLut, RejectsUnsupportedBlock)
{
    std::vector<std::uint8_t> mask(16, 1);
    EXPECT_THROW(buildAttentionLut(mask.data(), 1, 4, 8, tileConfigFor(64)), std::invalid_argument);
    EXPECT_THROW(buildAttentionLut(mask.data(), 1, 4, 48, tileConfigFor(64)), std::invalid_argument);
}

TEST(KernelParams, BadArgumentsAreNamedWithoutLaunching)
{
    AttentionParams p;
    EXPECT_EQ(blockSparseAttentionForward(p), "block-sparse attention: batch, heads and seq_len must be positive");
    p.batch = p.heads = 1;
    p.seqLen = 64;
    p.headDim = 40;
    EXPECT_EQ(blockSparseAttentionForward(p),
              "block-sparse attention: head dim 40 is not supported (32, 64 or 128)");
    p.headDim = 64;
    EXPECT_EQ(blockSparseAttentionForward(p), "block-sparse attention: query is null");
    alignas(16) static std::uint16_t storage[64];
    p.q = p.k = p.v = storage;
    p.out = storage;
    p.qStride[2] = 4;
    EXPECT_EQ(blockSparseAttentionForward(p),
              "block-sparse attention: query strides must be multiples of 8 elements (16 bytes)");
    p.qStride[2] = 64;
    p.headDim = 128;
    EXPECT_EQ(blockSparseAttentionForward(p),
              "block-sparse attention: lookup table was built for another tile shape");
    p.lut.tile = tileConfigFor(128);
    EXPECT_EQ(blockSparseAttentionForward(p), "block-sparse attention: lookup table is missing");
}
