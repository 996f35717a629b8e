// The kernels' lookup tables (kernels/block_sparse_attention.h), checked against the layout they come from: every
// (warp rows, 16-key slice) pair the layout allows is listed exactly once, nothing else is, a key tile is either an
// aligned run of fully kept slices or packed from partly kept runs (so no query tile has more tiles than it needs),
// split query tiles cover their entries exactly, and the work list is ordered heaviest first. The backward's key table
// is checked the same way against the transposed layout. Runs without a GPU.
#include "kernels/block_sparse_attention.h"
#include "kernels/block_sparse_backward.h"

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

// Expected from the definition: warp w of query tile qt covers rows qt·tileM + 16w .. +15, slice s covers keys
// 16s .. 16s + 15; the pair is attended when that (row block, key block) of the head is nonzero.
bool attends(const std::vector<std::uint8_t>& mask, int nb, int block, int head, int row, int slice)
{
    return mask[(std::size_t(head) * nb + row / block) * nb + std::size_t(slice) * 16 / block] != 0;
}

// `built`: a table to check instead of buildAttentionLut's for `mask` (the key table against the transposed layout).
void checkLut(const std::vector<std::uint8_t>& mask, int heads, int nb, int block, TileConfig tile, int splitFactor,
    const LutHost* built = nullptr)
{
    const LutHost lut = built ? *built : buildAttentionLut(mask.data(), heads, nb, block, tile, splitFactor);
    ASSERT_EQ(lut.numHeads, heads);
    ASSERT_EQ(lut.numBlocks, nb);
    ASSERT_EQ(lut.block, block);
    const int seqLen = nb * block;
    const int slotsPerTile = tile.slicesPerTile();
    const int numSlices = seqLen / 16;
    ASSERT_EQ(lut.numQueryTiles, (seqLen + tile.tileM - 1) / tile.tileM);
    ASSERT_EQ(lut.sliceKeys.size(), lut.bits.size() * std::size_t(slotsPerTile));

    // (head, query tile) → (warp, slice) pairs listed, and the number of entries.
    std::map<std::pair<int, int>, std::set<std::pair<int, int>>> listed;
    std::map<std::pair<int, int>, int> entriesOf;
    std::map<std::pair<int, int>, std::set<int>> slotsOf;
    for (std::size_t i = 0; i < lut.work.size(); ++i) {
        const WorkItem& w = lut.work[i];
        if (i > 0)
            EXPECT_GE(lut.work[i - 1].end - lut.work[i - 1].begin, w.end - w.begin) << "work not heaviest first";
        entriesOf[{ w.head, w.queryTile }] += w.end - w.begin;
        for (int e = w.begin; e < w.end; ++e) {
            for (int slot = 0; slot < slotsPerTile; ++slot) {
                const int key = lut.sliceKeys[std::size_t(e) * slotsPerTile + slot];
                ASSERT_EQ(key % 16, 0) << "a slot does not start a 16-key slice";
                ASSERT_GE(key, 0);
                ASSERT_LT(key, seqLen) << "a slot reads past the sequence";
                for (int warp = 0; warp < tile.warps(); ++warp) {
                    if (!((lut.bits[std::size_t(e)] >> (warp * slotsPerTile + slot)) & 1u))
                        continue;
                    const bool fresh = listed[{ w.head, w.queryTile }].insert({ warp, key / 16 }).second;
                    EXPECT_TRUE(fresh) << "a (warp, slice) pair listed twice";
                }
            }
        }
        if (w.partialSlot < 0) {
            EXPECT_EQ(w.combineGroup, -1) << "unsplit work item names a combine group";
            continue;
        }
        slotsOf[{ w.head, w.queryTile }].insert(w.partialSlot);
        // The CTA that finishes its group last merges it: the group must be this tile's, holding this slot.
        ASSERT_GE(w.combineGroup, 0);
        ASSERT_LT(std::size_t(w.combineGroup), lut.combine.size());
        const CombineGroup& g = lut.combine[std::size_t(w.combineGroup)];
        EXPECT_EQ(g.head, w.head);
        EXPECT_EQ(g.queryTile, w.queryTile);
        EXPECT_GE(w.partialSlot, g.firstSlot);
        EXPECT_LT(w.partialSlot, g.firstSlot + g.numSlots);
    }
    // The row groups: aligned query tiles (tile t of every head owns rows t·tileM ...), or gathered ones
    // (lut.rowSlices, the key table), which must cover each head's 16-row slices exactly once.
    const bool gathered = !lut.rowSlices.empty();
    std::vector<std::pair<int, int>> groups;
    if (gathered) {
        std::map<int, int> headOfGroup;
        for (const WorkItem& w : lut.work)
            headOfGroup[w.queryTile] = w.head;
        ASSERT_EQ(lut.rowSlices.size(), headOfGroup.size() * std::size_t(tile.warps()));
        std::map<int, std::multiset<int>> slicesOfHead;
        for (const auto& [group, head] : headOfGroup) {
            groups.push_back({ head, group });
            for (int warp = 0; warp < tile.warps(); ++warp) {
                const int row = lut.rowSlices[std::size_t(group) * tile.warps() + warp];
                ASSERT_TRUE(row == seqLen || (row % 16 == 0 && row >= 0 && row < seqLen)) << "row " << row;
                if (row < seqLen)
                    slicesOfHead[head].insert(row / 16);
            }
        }
        for (int h = 0; h < heads; ++h) {
            std::multiset<int> all;
            for (int slice = 0; slice < numSlices; ++slice)
                all.insert(slice);
            EXPECT_EQ(slicesOfHead[h], all) << "head " << h << ": row groups do not cover its slices once each";
        }
    } else {
        for (int h = 0; h < heads; ++h)
            for (int qt = 0; qt < lut.numQueryTiles; ++qt)
                groups.push_back({ h, qt });
    }
    auto rowOf = [&](int group, int warp) {
        return gathered ? lut.rowSlices[std::size_t(group) * tile.warps() + warp] : group * tile.tileM + warp * 16;
    };
    for (const auto& [h, qt] : groups) {
        std::set<std::pair<int, int>> expected;
        int fullRuns = 0;
        int looseSlices = 0;
        for (int first = 0; first < numSlices; first += slotsPerTile) {
            int kept = 0;
            for (int slice = first; slice < std::min(first + slotsPerTile, numSlices); ++slice) {
                bool any = false;
                for (int warp = 0; warp < tile.warps(); ++warp) {
                    const int row = rowOf(qt, warp);
                    if (row < seqLen && attends(mask, nb, block, h, row, slice)) {
                        expected.insert({ warp, slice });
                        any = true;
                    }
                }
                kept += any ? 1 : 0;
            }
            (kept == slotsPerTile ? fullRuns : looseSlices) += kept == slotsPerTile ? 1 : kept;
        }
        EXPECT_EQ((listed[{ h, qt }]), expected) << "head " << h << " query tile " << qt;
        // Fully kept runs stay whole; partly kept runs' slices are packed `slotsPerTile` to a tile.
        EXPECT_EQ((entriesOf[{ h, qt }]), fullRuns + (looseSlices + slotsPerTile - 1) / slotsPerTile)
            << "head " << h << " query tile " << qt;
    }
    // Every split query tile has one combine group naming exactly its slots.
    int slots = 0;
    for (const CombineGroup& g : lut.combine) {
        std::set<int> expected;
        for (int s = 0; s < g.numSlots; ++s)
            expected.insert(g.firstSlot + s);
        EXPECT_EQ((slotsOf[{ g.head, g.queryTile }]), expected);
        slots += g.numSlots;
    }
    EXPECT_EQ(slots, lut.numPartialSlots);
    EXPECT_EQ(slotsOf.size(), lut.combine.size());
}

} // namespace

TEST(KernelLut, RandomLayoutsEveryBlockAndTile)
{
    unsigned seed = 1;
    for (int block : { 16, 32, 64, 128 })
        for (int headDim : { 32, 64, 128 })
            for (int nb : { 1, 3, 7, 13 })
                checkLut(randomMask(3, nb, 0.3, seed++), 3, nb, block, tileConfigFor(headDim), 4);
}

TEST(KernelLut, HeavyRowsAreSplitAndCovered)
{
    // A global first row over 256 blocks of 16 next to a narrow diagonal: the first query tile is far heavier.
    const int nb = 256;
    std::vector<std::uint8_t> mask(std::size_t(nb) * nb, 0);
    for (int r = 0; r < nb; ++r) {
        mask[std::size_t(r) * nb + r] = 1;
        mask[std::size_t(r)] = 1; // row 0 attends everything
        mask[std::size_t(r) * nb] = 1; // every row attends block 0
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
    EXPECT_EQ(lut.numEntries(), std::int64_t(2) * lut.numQueryTiles * (nb / 2 * 32 / tileConfigFor(64).tileN));
}

// DeepSpeed's fixed layout at block 16 keeps one global block in every window of four: 16 keys out of every 64.
// Those slices are packed four to a tile, so a query tile reads a quarter of the tiles it would with aligned runs.
TEST(KernelLut, ScatteredSlicesArePackedFourToATile)
{
    const int nb = 64; // 1024 keys
    std::vector<std::uint8_t> mask(std::size_t(nb) * nb, 0);
    for (int r = 0; r < nb; ++r)
        for (int c = 3; c < nb; c += 4)
            mask[std::size_t(r) * nb + c] = 1;
    const LutHost lut = buildAttentionLut(mask.data(), 1, nb, 16, tileConfigFor(64), 0);
    EXPECT_EQ(lut.numEntries(), std::int64_t(lut.numQueryTiles) * (nb / 4) / 4);
    EXPECT_EQ(lut.bits[0], 0xffffffffu) << "every warp attends every packed slot";
    EXPECT_EQ(lut.sliceKeys[0], 48);
    EXPECT_EQ(lut.sliceKeys[1], 112);
    checkLut(mask, 1, nb, 16, tileConfigFor(64), 0);
}

std::vector<std::uint8_t> transposed(const std::vector<std::uint8_t>& mask, int heads, int nb)
{
    std::vector<std::uint8_t> out(mask.size());
    for (int h = 0; h < heads; ++h)
        for (int r = 0; r < nb; ++r)
            for (int c = 0; c < nb; ++c)
                out[(std::size_t(h) * nb + c) * nb + r] = mask[(std::size_t(h) * nb + r) * nb + c];
    return out;
}

// The key table lists, per 64-key tile, every (16 keys of a warp, 16 query rows) pair whose layout block is nonzero,
// exactly once: the forward table's invariants over the transposed layout.
TEST(KernelLut, KeyTableListsTheQueriesOfEveryKeyTile)
{
    unsigned seed = 100;
    for (int block : { 16, 32, 64, 128 })
        for (int nb : { 1, 3, 7, 13 }) {
            SCOPED_TRACE("block " + std::to_string(block) + " blocks " + std::to_string(nb));
            const auto mask = randomMask(3, nb, 0.3, seed++);
            const LutHost keys = buildKeyLut(mask.data(), 3, nb, block, 4);
            EXPECT_EQ(keys.tile.tileM, keyTileConfig().tileM);
            checkLut(transposed(mask, 3, nb), 3, nb, block, keyTileConfig(), 4, &keys);
        }
}

TEST(KernelLut, GlobalColumnsSplitTheirKeyTile)
{
    // Every row attends block 0 (a global column) beside a diagonal: the key tile holding its slice has an entry per
    // 64 query rows.
    const int nb = 256;
    std::vector<std::uint8_t> mask(std::size_t(nb) * nb, 0);
    for (int r = 0; r < nb; ++r) {
        mask[std::size_t(r) * nb + r] = 1;
        mask[std::size_t(r) * nb] = 1;
    }
    const LutHost keys = buildKeyLut(mask.data(), 1, nb, 16, 4);
    ASSERT_EQ(keys.combine.size(), 1u);
    EXPECT_EQ(keys.rowSlices[std::size_t(keys.combine[0].queryTile) * 4], 0) << "the split tile holds keys 0..15";
    EXPECT_GT(keys.combine[0].numSlots, 1);
    checkLut(transposed(mask, 1, nb), 1, nb, 16, keyTileConfig(), 4, &keys);
}

// DeepSpeed's fixed layout at block 16: windows of four blocks attend each other, and the last block of every window
// is attended by every row (a global column). The key table gathers the global slices four to a key tile, whose
// warps then all work on every entry, instead of keeping each window's run with one busy warp in four.
TEST(KernelLut, GlobalKeySlicesShareTheirKeyTiles)
{
    const int nb = 64;
    std::vector<std::uint8_t> mask(std::size_t(nb) * nb, 0);
    for (int r = 0; r < nb; ++r)
        for (int c = 0; c < nb; ++c)
            mask[std::size_t(r) * nb + c] = r / 4 == c / 4 || c % 4 == 3;
    const LutHost keys = buildKeyLut(mask.data(), 1, nb, 16, 0);
    ASSERT_EQ(keys.rowSlices.size(), std::size_t(nb));
    for (int w = 0; w < 4; ++w)
        EXPECT_EQ(keys.rowSlices[std::size_t(w)], (4 * w + 3) * 16) << "the heaviest tile holds the global slices";
    // Global tile: every entry keeps all 16 (warp, slot) bits.
    const WorkItem& heaviest = keys.work[0];
    EXPECT_EQ(heaviest.queryTile, 0);
    for (int e = heaviest.begin; e < heaviest.end; ++e)
        EXPECT_EQ(keys.bits[std::size_t(e)], 0xffffu);
    checkLut(transposed(mask, 1, nb), 1, nb, 16, keyTileConfig(), 0, &keys);
    // Block 64 keeps aligned runs: a run's four slices share their block and its rows.
    std::vector<std::uint8_t> coarse(std::size_t(16) * 16, 0);
    for (int r = 0; r < 16; ++r)
        for (int c = 0; c < 16; ++c)
            coarse[std::size_t(r) * 16 + c] = r / 4 == c / 4 || c % 4 == 3;
    const LutHost aligned = buildKeyLut(coarse.data(), 1, 16, 64, 0);
    for (std::size_t i = 0; i < aligned.rowSlices.size(); ++i)
        EXPECT_EQ(aligned.rowSlices[i], int(i) * 16);
}

TEST(KernelLut, PackedTableViewsEveryArray)
{
    const auto mask = randomMask(2, 40, 0.02, 7);
    std::vector<std::uint8_t> withGlobalRow = mask;
    std::fill(withGlobalRow.begin(), withGlobalRow.begin() + 40, 1); // head 0, row block 0: split
    const LutHost lut = buildAttentionLut(withGlobalRow.data(), 2, 40, 16, tileConfigFor(64), 1);
    ASSERT_FALSE(lut.combine.empty());
    std::vector<std::int32_t> storage(packedLutInts(lut), -1);
    packLut(lut, storage.data());
    const DeviceLut view = deviceLutView(lut, storage.data());
    EXPECT_EQ(std::vector<std::int32_t>(view.sliceKeys, view.sliceKeys + lut.sliceKeys.size()), lut.sliceKeys);
    EXPECT_EQ(std::vector<std::uint32_t>(view.bits, view.bits + lut.bits.size()), lut.bits);
    ASSERT_EQ(view.numWork, int(lut.work.size()));
    for (int i = 0; i < view.numWork; ++i) {
        EXPECT_EQ(view.work[i].begin, lut.work[std::size_t(i)].begin);
        EXPECT_EQ(view.work[i].partialSlot, lut.work[std::size_t(i)].partialSlot);
    }
    ASSERT_EQ(view.numCombine, int(lut.combine.size()));
    EXPECT_EQ(view.combine[0].numSlots, lut.combine[0].numSlots);
    EXPECT_EQ(view.numPartialSlots, lut.numPartialSlots);
    EXPECT_EQ(view.rowSlices, nullptr) << "the forward's aligned tiles have no row slices";
    const LutHost keys = buildKeyLut(withGlobalRow.data(), 2, 40, 16);
    std::vector<std::int32_t> keyStorage(packedLutInts(keys), -1);
    packLut(keys, keyStorage.data());
    const DeviceLut keyView = deviceLutView(keys, keyStorage.data());
    ASSERT_NE(keyView.rowSlices, nullptr);
    EXPECT_EQ(std::vector<std::int32_t>(keyView.rowSlices, keyView.rowSlices + keys.rowSlices.size()), keys.rowSlices);
    EXPECT_EQ(view.numHeads, 2);
    EXPECT_EQ(view.seqLen(), 640);
    for (const void* array : { static_cast<const void*>(view.sliceKeys), static_cast<const void*>(view.bits),
             static_cast<const void*>(view.work), static_cast<const void*>(view.combine) })
        EXPECT_EQ((static_cast<const std::int32_t*>(array) - storage.data()) % 4, 0) << "array not 16-byte aligned";
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
    EXPECT_EQ(blockSparseAttentionForward(p), "block-sparse attention: head dim 40 is not supported (32, 64 or 128)");
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
    EXPECT_EQ(blockSparseAttentionForward(p), "block-sparse attention: lookup table was built for another tile shape");
    p.lut.tile = tileConfigFor(128);
    EXPECT_EQ(blockSparseAttentionForward(p), "block-sparse attention: lookup table is missing");
}

// Parameters whose checks all pass up to the launch, over host memory (nothing is launched by the tests below).
struct HostTables {
    LutHost queries, keys;
    std::vector<std::int32_t> queryStorage, keyStorage;
};

HostTables hostTables(int heads, int nb, int block, int headDim)
{
    const std::vector<std::uint8_t> mask(std::size_t(heads) * nb * nb, 1);
    HostTables tables { buildAttentionLut(mask.data(), heads, nb, block, tileConfigFor(headDim)),
        buildKeyLut(mask.data(), heads, nb, block), {}, {} };
    tables.queryStorage.resize(packedLutInts(tables.queries));
    tables.keyStorage.resize(packedLutInts(tables.keys));
    packLut(tables.queries, tables.queryStorage.data());
    packLut(tables.keys, tables.keyStorage.data());
    return tables;
}

AttentionParams checkedParams(const HostTables& tables, int heads, int seqLen)
{
    alignas(16) static std::uint16_t storage[64];
    AttentionParams p;
    p.batch = 1;
    p.heads = heads;
    p.seqLen = seqLen;
    p.headDim = 64;
    p.q = p.k = p.v = p.out = storage;
    p.lut = deviceLutView(tables.queries, tables.queryStorage.data());
    return p;
}

// Item 18 of issue 14: a table of another layout with the same tile shape must not reach the kernel.
TEST(KernelParams, TableOfAnotherLayoutIsRejected)
{
    const HostTables tables = hostTables(2, 8, 16, 64);
    AttentionParams p = checkedParams(tables, 3, 128);
    EXPECT_EQ(blockSparseAttentionForward(p),
        "block-sparse attention: lookup table was built for 2 heads x 128 tokens, the inputs have 3 heads x 128");
    p.heads = 2;
    p.seqLen = 256;
    EXPECT_EQ(blockSparseAttentionForward(p),
        "block-sparse attention: lookup table was built for 2 heads x 128 tokens, the inputs have 2 heads x 256");
}

// Asking for the wgmma path where it cannot run is refused before anything reaches the device: at head dim 32 on
// any machine, and at head dim 64 without a compute capability 9.0 GPU (checked only where there is no GPU at all,
// since these parameters point into host memory).
TEST(KernelParams, WgmmaPathWhereItCannotRunIsRefused)
{
    const HostTables tables = hostTables(2, 8, 16, 64);
    AttentionParams p = checkedParams(tables, 2, 128);
    const std::string refusal
        = "block-sparse attention: the wgmma path needs head dim 64 or 128 on a compute capability 9.0 GPU";
    int devices = 0;
    const bool noGpu = cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0;
    for (MatrixPath path : { MatrixPath::Wgmma, MatrixPath::WgmmaTma }) {
        p.matrixPath = path;
        p.headDim = 32;
        EXPECT_EQ(blockSparseAttentionForward(p), refusal);
        if (noGpu) {
            p.headDim = 64;
            EXPECT_EQ(blockSparseAttentionForward(p), refusal);
        }
    }
}

TEST(KernelParams, BackwardArgumentsAreNamedWithoutLaunching)
{
    const HostTables tables = hostTables(2, 8, 16, 64);
    AttentionBackwardParams b;
    b.forward = checkedParams(tables, 2, 128);
    EXPECT_EQ(blockSparseAttentionBackward(b), "block-sparse attention: gradient of the output is null");
    alignas(16) static std::uint16_t storage[64];
    b.gradOut = b.gradQuery = b.gradKey = b.gradValue = storage;
    b.gradKeyStride[1] = 12;
    EXPECT_EQ(blockSparseAttentionBackward(b),
        "block-sparse attention: key gradient strides must be multiples of 8 elements (16 bytes)");
    b.gradKeyStride[1] = 0;
    EXPECT_EQ(blockSparseAttentionBackward(b), "block-sparse attention backward: the forward's log-sum-exp is null");
    alignas(16) static float lse[4];
    b.logSumExp = lse;
    EXPECT_EQ(
        blockSparseAttentionBackward(b), "block-sparse attention: key lookup table was built for another tile shape");
    b.keyLut = deviceLutView(tables.keys, tables.keyStorage.data());
    b.forward.heads = 1;
    b.forward.lut.numHeads = 1;
    EXPECT_EQ(blockSparseAttentionBackward(b),
        "block-sparse attention: key lookup table was built for 2 heads x 128 tokens, the inputs have 1 heads x 128");
    b.forward.heads = b.forward.lut.numHeads = 2;
    EXPECT_EQ(blockSparseAttentionBackward(b),
        "block-sparse attention backward: the workspace is null or not 16-byte aligned");
}
