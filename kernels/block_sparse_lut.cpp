// Host-side lookup tables for the block-sparse attention kernels (block_sparse_attention.h,
// block_sparse_backward.h).
#include "block_sparse_attention.h"
#include "block_sparse_backward.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace spw::kernels {

TileConfig tileConfigFor(int headDim)
{
    // Head dim 128 keeps 64 query rows per CTA so that a CTA's registers (the output accumulator grows with the head
    // dim) still allow two CTAs per multiprocessor.
    TileConfig tile;
    tile.tileM = headDim == 128 ? 64 : 128;
    tile.tileN = 64;
    return tile;
}

bool headDimSupported(int headDim)
{
    return headDim == 32 || headDim == 64 || headDim == 128;
}

bool blockSupported(int block)
{
    return block == 16 || block == 32 || block == 64 || block == 128;
}

namespace {

void checkLayout(int numHeads, int numBlocks, int block, TileConfig tile)
{
    if (!blockSupported(block))
        throw std::invalid_argument(
            "block-sparse attention kernels support blocks 16, 32, 64 and 128, not " + std::to_string(block));
    if (tile.tileM % 16 != 0 || tile.tileN % 16 != 0 || tile.warps() * tile.slicesPerTile() > 32)
        throw std::invalid_argument("unsupported tile shape");
    if (numHeads <= 0 || numBlocks <= 0)
        throw std::invalid_argument("layout has no heads or no blocks");
}

// The tables over row groups: groupRows[h] holds, per group of head h, tile.warps() first rows (16 rows per warp;
// seqLen: none). A group's id (WorkItem::queryTile) is its index within the head, or with `gathered` its index over
// all heads, and its rows go to lut.rowSlices.
LutHost buildOverRowGroups(const std::uint8_t* mask, int numHeads, int numBlocks, int block, TileConfig tile,
    int splitFactor, const std::vector<std::vector<std::int32_t>>& groupRows, bool gathered)
{
    const std::int64_t seqLen = std::int64_t(numBlocks) * block;
    LutHost lut;
    lut.tile = tile;
    lut.block = block;
    lut.numHeads = numHeads;
    lut.numBlocks = numBlocks;
    lut.numQueryTiles = int((seqLen + tile.tileM - 1) / tile.tileM);
    const int warps = tile.warps();
    const int slices = tile.slicesPerTile();
    const int numSlices = int((seqLen + 15) / 16);

    struct Span {
        int head, queryTile, begin, end;
    };
    std::vector<Span> spans;
    spans.reserve(std::size_t(numHeads) * lut.numQueryTiles);
    // Per 16-key slice of the current row group: bit w set where warp w's rows attend it.
    std::vector<std::uint32_t> warpsOf(static_cast<std::size_t>(numSlices));
    // The kept slices of tile-sized runs that are only partly kept, packed `slices` to an entry at the end.
    std::vector<int> loose;
    auto addEntry = [&](const int* sliceIndices, int used) {
        std::uint32_t bits = 0;
        for (int slot = 0; slot < slices; ++slot) {
            // An unused slot repeats the first slice: valid memory to load, no warp attends it.
            const int slice = sliceIndices[slot < used ? slot : 0];
            lut.sliceKeys.push_back(slice * 16);
            for (int w = 0; w < warps && slot < used; ++w)
                if ((warpsOf[std::size_t(slice)] >> w) & 1u)
                    bits |= 1u << (w * slices + slot);
        }
        lut.bits.push_back(bits);
    };
    int nextId = 0;
    for (int h = 0; h < numHeads; ++h) {
        const std::uint8_t* headMask = mask + std::size_t(h) * numBlocks * numBlocks;
        const std::vector<std::int32_t>& rows = groupRows[std::size_t(h)];
        const int numGroups = int(rows.size()) / warps;
        for (int group = 0; group < numGroups; ++group) {
            const std::int32_t* groupFirst = rows.data() + std::size_t(group) * warps;
            if (gathered)
                lut.rowSlices.insert(lut.rowSlices.end(), groupFirst, groupFirst + warps);
            for (int s = 0; s < numSlices; ++s) {
                std::uint32_t attending = 0;
                for (int w = 0; w < warps; ++w) {
                    const std::int64_t row = groupFirst[w];
                    if (row < seqLen && headMask[std::size_t(row / block) * numBlocks + std::size_t(s) * 16 / block])
                        attending |= 1u << w;
                }
                warpsOf[std::size_t(s)] = attending;
            }
            const int begin = int(lut.bits.size());
            loose.clear();
            for (int first = 0; first < numSlices; first += slices) {
                int run[32];
                int kept = 0;
                for (int s = first; s < std::min(first + slices, numSlices); ++s)
                    if (warpsOf[std::size_t(s)])
                        run[kept++] = s;
                if (kept == slices)
                    addEntry(run, slices);
                else
                    loose.insert(loose.end(), run, run + kept);
            }
            for (std::size_t i = 0; i < loose.size(); i += std::size_t(slices))
                addEntry(loose.data() + i, int(std::min(loose.size() - i, std::size_t(slices))));
            spans.push_back({ h, gathered ? nextId++ : group, begin, int(lut.bits.size()) });
        }
    }

    // Split the heavy row groups (global rows attend every key) so that they do not form the launch's tail.
    const double average = double(lut.numEntries()) / double(spans.size());
    const int threshold = std::max(8, int(std::ceil(splitFactor * average)));
    for (const Span& span : spans) {
        const int count = span.end - span.begin;
        if (splitFactor <= 0 || count <= threshold) {
            lut.work.push_back({ span.head, span.queryTile, span.begin, span.end, -1, -1 });
            continue;
        }
        const int pieces = (count + threshold - 1) / threshold;
        const int chunk = (count + pieces - 1) / pieces;
        const int group = int(lut.combine.size());
        lut.combine.push_back({ span.head, span.queryTile, lut.numPartialSlots, pieces });
        for (int p = 0; p < pieces; ++p) {
            const int begin = span.begin + p * chunk;
            const int end = std::min(span.end, begin + chunk);
            lut.work.push_back({ span.head, span.queryTile, begin, end, lut.numPartialSlots++, group });
        }
    }
    // Heaviest first: the hardware hands out CTAs roughly in index order, so long items start early.
    std::stable_sort(lut.work.begin(), lut.work.end(),
        [](const WorkItem& a, const WorkItem& b) { return a.end - a.begin > b.end - b.begin; });
    return lut;
}

// One head's 16-key slices grouped four to a key tile: an aligned run of four stays together unless its slices'
// numbers of attending query blocks differ by more than 2x (a global column beside local ones, as in DeepSpeed's
// fixed layout at block 16: its warps would idle on most of the run's query rows); the slices of such runs are
// sorted by that number, heaviest first, and packed four to a tile, so that global slices share their tiles.
std::vector<std::int32_t> keySliceGroups(const std::uint8_t* headMask, int numBlocks, int block, int warps)
{
    const int seqLen = numBlocks * block;
    const int numSlices = seqLen / 16;
    std::vector<int> attendedBy(std::size_t(numBlocks), 0);
    for (int r = 0; r < numBlocks; ++r)
        for (int c = 0; c < numBlocks; ++c)
            attendedBy[std::size_t(c)] += headMask[std::size_t(r) * numBlocks + c] != 0;
    auto weight = [&](int slice) { return attendedBy[std::size_t(slice * 16 / block)]; };
    std::vector<std::int32_t> groups;
    std::vector<int> loose;
    for (int first = 0; first < numSlices; first += warps) {
        const int last = std::min(first + warps, numSlices);
        int lightest = weight(first);
        int heaviest = lightest;
        for (int s = first; s < last; ++s) {
            lightest = std::min(lightest, weight(s));
            heaviest = std::max(heaviest, weight(s));
        }
        if (heaviest > 2 * lightest) {
            for (int s = first; s < last; ++s)
                loose.push_back(s);
            continue;
        }
        for (int w = 0; w < warps; ++w)
            groups.push_back(first + w < last ? (first + w) * 16 : seqLen);
    }
    std::stable_sort(loose.begin(), loose.end(), [&](int a, int b) { return weight(a) > weight(b); });
    for (std::size_t i = 0; i < loose.size(); i += std::size_t(warps))
        for (std::size_t w = 0; w < std::size_t(warps); ++w)
            groups.push_back(i + w < loose.size() ? loose[i + w] * 16 : seqLen);
    return groups;
}

} // namespace

LutHost buildAttentionLut(
    const std::uint8_t* mask, int numHeads, int numBlocks, int block, TileConfig tile, int splitFactor)
{
    checkLayout(numHeads, numBlocks, block, tile);
    const std::int64_t seqLen = std::int64_t(numBlocks) * block;
    const int numTiles = int((seqLen + tile.tileM - 1) / tile.tileM);
    // Aligned query tiles: warp w of tile t owns rows t·tileM + 16w ...
    std::vector<std::int32_t> aligned;
    for (int t = 0; t < numTiles; ++t)
        for (int w = 0; w < tile.warps(); ++w)
            aligned.push_back(std::int32_t(std::min<std::int64_t>(std::int64_t(t) * tile.tileM + w * 16, seqLen)));
    const std::vector<std::vector<std::int32_t>> groupRows(std::size_t(numHeads), aligned);
    return buildOverRowGroups(mask, numHeads, numBlocks, block, tile, splitFactor, groupRows, false);
}

TileConfig keyTileConfig()
{
    TileConfig tile;
    tile.tileM = 64;
    tile.tileN = 64;
    return tile;
}

LutHost buildKeyLut(const std::uint8_t* mask, int numHeads, int numBlocks, int block, int splitFactor)
{
    const TileConfig tile = keyTileConfig();
    checkLayout(numHeads, numBlocks, block, tile);
    // The key side's table is the forward's table of the transposed layout over gathered key tiles: a row group is
    // four 16-key slices, a "key slice" is 16 query rows, and a bit says that a warp's 16 keys are attended by a
    // slice's rows.
    const std::size_t nb = std::size_t(numBlocks);
    std::vector<std::uint8_t> transposed(std::size_t(numHeads) * nb * nb);
    std::vector<std::vector<std::int32_t>> groupRows;
    for (std::size_t h = 0; h < std::size_t(numHeads); ++h) {
        for (std::size_t r = 0; r < nb; ++r)
            for (std::size_t c = 0; c < nb; ++c)
                transposed[(h * nb + c) * nb + r] = mask[(h * nb + r) * nb + c];
        groupRows.push_back(keySliceGroups(mask + h * nb * nb, numBlocks, block, tile.warps()));
    }
    return buildOverRowGroups(transposed.data(), numHeads, numBlocks, block, tile, splitFactor, groupRows, true);
}

namespace {

std::size_t alignedInts(std::size_t ints)
{
    return (ints + 3) / 4 * 4;
}

struct PackedOffsets {
    std::size_t sliceKeys, bits, work, combine, rowSlices, total;
};

PackedOffsets packedOffsets(const LutHost& lut)
{
    static_assert(sizeof(WorkItem) == 6 * sizeof(std::int32_t));
    static_assert(sizeof(CombineGroup) == 4 * sizeof(std::int32_t));
    PackedOffsets at {};
    at.sliceKeys = 0;
    at.bits = at.sliceKeys + alignedInts(lut.sliceKeys.size());
    at.work = at.bits + alignedInts(lut.bits.size());
    at.combine = at.work + alignedInts(lut.work.size() * 6);
    at.rowSlices = at.combine + alignedInts(lut.combine.size() * 4);
    at.total = std::max<std::size_t>(at.rowSlices + alignedInts(lut.rowSlices.size()), 4);
    return at;
}

} // namespace

std::size_t packedLutInts(const LutHost& lut)
{
    return packedOffsets(lut).total;
}

void packLut(const LutHost& lut, std::int32_t* storage)
{
    const PackedOffsets at = packedOffsets(lut);
    std::memset(storage, 0, at.total * sizeof(std::int32_t));
    std::memcpy(storage + at.sliceKeys, lut.sliceKeys.data(), lut.sliceKeys.size() * sizeof(std::int32_t));
    std::memcpy(storage + at.bits, lut.bits.data(), lut.bits.size() * sizeof(std::uint32_t));
    std::memcpy(storage + at.work, lut.work.data(), lut.work.size() * sizeof(WorkItem));
    std::memcpy(storage + at.combine, lut.combine.data(), lut.combine.size() * sizeof(CombineGroup));
    std::memcpy(storage + at.rowSlices, lut.rowSlices.data(), lut.rowSlices.size() * sizeof(std::int32_t));
}

DeviceLut deviceLutView(const LutHost& lut, const std::int32_t* deviceStorage)
{
    const PackedOffsets at = packedOffsets(lut);
    DeviceLut view;
    view.sliceKeys = deviceStorage + at.sliceKeys;
    view.bits = reinterpret_cast<const std::uint32_t*>(deviceStorage + at.bits);
    view.work = reinterpret_cast<const WorkItem*>(deviceStorage + at.work);
    view.numWork = int(lut.work.size());
    view.combine = reinterpret_cast<const CombineGroup*>(deviceStorage + at.combine);
    view.numCombine = int(lut.combine.size());
    view.rowSlices = lut.rowSlices.empty() ? nullptr : deviceStorage + at.rowSlices;
    view.numPartialSlots = lut.numPartialSlots;
    view.numHeads = lut.numHeads;
    view.numBlocks = lut.numBlocks;
    view.block = lut.block;
    view.tile = lut.tile;
    return view;
}

// docs/kernel-notes.md, v3: measured on an H200.
bool wgmmaPreferred(int block, int headDim)
{
    // Measured on the H200 (docs/gpu-benchmark.md): at head dim 64 the wgmma path is 1.1-1.4x the mma.sync one from
    // block 32 up; at head dim 128 (64 query rows, one warpgroup per CTA) it is slower, and at block 16 a warpgroup
    // computes the slices its warps skip.
    return headDim == 64 && block >= 32;
}

int pipelineStagesFor(int, int)
{
    return 3;
}

std::size_t partialOutFloats(const DeviceLut& lut, int batch, int headDim)
{
    return std::size_t(lut.numPartialSlots) * batch * lut.tile.tileM * headDim;
}

std::size_t partialStatsFloats(const DeviceLut& lut, int batch)
{
    return std::size_t(lut.numPartialSlots) * batch * lut.tile.tileM * 2;
}

std::size_t combineCounterInts(const DeviceLut& lut, int batch)
{
    return std::size_t(lut.numCombine) * batch;
}

} // namespace spw::kernels
