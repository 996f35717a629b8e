#pragma once
// Fused block-sparse attention forward for Hopper (sm_90), behind a plain-struct API: pointers, strides, sizes, a
// dtype enum and lookup tables. No LibTorch or Qt types, so the kernels build and test on their own.
//
//   out[b,h,i,:] = Σ_j softmax_j(scale·q_i·k_j + masks) v_j over the keys j whose layout block (i/block, j/block) of
//   head h is nonzero. One pass with an online softmax: scores never reach device memory.
//
// Work is cut into tiles sized for the chip, not the layout's block: a CTA owns `tileM` query rows of one
// (batch, head) and walks the key tiles (`tileN` keys) its lookup table lists. A key tile is gathered from
// tileN / 16 slices of 16 keys each, anywhere in the sequence: where the layout keeps every slice of an aligned
// run of tileN keys the tile is that run; the slices of partly kept runs (random and global blocks of 16 or 32,
// window edges) are packed four to a tile instead of leaving three quarters of a tile idle. Each warp owns 16
// query rows and each slice lies inside one layout block (block >= 16), so the layout inside a tile is one bit
// per (warp, slice): a warp skips the matrix products of slices its rows do not attend.
//
// Lookup tables (AttentionLut) are built once per layout on the host (buildAttentionLut), uploaded by the caller and
// cached there. Query tiles with far more key tiles than the average (global rows) are split across CTAs that write
// fp32 partial results; the last of them to finish merges the pieces (no second kernel). The work list is ordered
// heaviest first.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>
#include <vector>

namespace spw::kernels {

enum class DType : int { Float16, BFloat16 };
enum class MaskKind : int { None, Add, Mul };

// Which tensor-core instructions the forward's matrix products use. MmaSync: per warp and 16-key slice (any sm_80+
// GPU), skipping the slices a warp's rows do not attend. Wgmma: per warpgroup and whole key tile (Hopper, compute
// capability 9.0 only; head dims 64 and 128), faster where key tiles are full, with key tiles loaded by cp.async and
// a CTA barrier per tile. WgmmaTma: the same products in a TMA/mbarrier pipeline whose warpgroups overlap their
// softmax with the tensor cores. Auto: a wgmma path where it runs and wgmmaPreferred(block, head dim), else mma.sync.
enum class MatrixPath : int { Auto, MmaSync, Wgmma, WgmmaTma };

struct TileConfig {
    int tileM = 128; // query rows per CTA (16 per warp)
    int tileN = 64; // keys per key tile
    int warps() const { return tileM / 16; }
    int slicesPerTile() const { return tileN / 16; }
};

// The tile shape the kernels use for a head dimension (32, 64 or 128).
TileConfig tileConfigFor(int headDim);
bool headDimSupported(int headDim);
bool blockSupported(int block); // 16, 32, 64, 128 (any power of two >= 16 that divides into tiles)

// One CTA's work: query tile `queryTile` of head `head`, key tiles entries [begin, end). partialSlot < 0: the CTA
// writes the output; otherwise it writes fp32 partials into that slot and, when it is the last piece of combine
// group `combineGroup` to finish, merges the group's partials into the output.
struct WorkItem {
    std::int32_t head;
    std::int32_t queryTile;
    std::int32_t begin;
    std::int32_t end;
    std::int32_t partialSlot;
    std::int32_t combineGroup; // -1 when not split
};

// A split query tile: slots [firstSlot, firstSlot + numSlots) hold its partial results.
struct CombineGroup {
    std::int32_t head;
    std::int32_t queryTile;
    std::int32_t firstSlot;
    std::int32_t numSlots;
};

// Host-side lookup tables for one layout and tile shape.
struct LutHost {
    TileConfig tile;
    int block = 0;
    int numHeads = 0;
    int numBlocks = 0;
    int numQueryTiles = 0;
    std::vector<std::int32_t> sliceKeys; // per entry, slicesPerTile values: the first key of each slot's slice
    std::vector<std::uint32_t> bits; // per entry: bit (warp · slicesPerTile + slot) set where that warp's rows
                                     // attend the slot's slice (a slot no warp attends only pads the tile)
    // Gathered row groups (the backward's key table): per group (WorkItem::queryTile), warps() values, the first row
    // of each warp's 16 (seqLen: none). Empty for aligned tiles (the forward's table: tile t owns rows t·tileM ...).
    std::vector<std::int32_t> rowSlices;
    std::vector<WorkItem> work; // heaviest first
    std::vector<CombineGroup> combine;
    int numPartialSlots = 0;
    std::int64_t numEntries() const { return std::int64_t(bits.size()); }
};

// mask: [numHeads][numBlocks][numBlocks] 0/1 bytes (row = query block). Throws std::invalid_argument for an
// unsupported block or tile shape. `splitFactor`: a query tile is split when it has more than splitFactor × the
// average number of key tiles per query tile (and more than 8); 0 disables splitting.
LutHost buildAttentionLut(
    const std::uint8_t* mask, int numHeads, int numBlocks, int block, TileConfig tile, int splitFactor = 4);

// Device copies of a LutHost's arrays (the caller owns the memory), with the shape of the layout they were built for:
// the launchers check it against the parameters, so a table of another layout cannot send a kernel out of bounds.
struct DeviceLut {
    const std::int32_t* sliceKeys = nullptr;
    const std::uint32_t* bits = nullptr;
    const WorkItem* work = nullptr;
    int numWork = 0;
    const CombineGroup* combine = nullptr;
    int numCombine = 0;
    const std::int32_t* rowSlices = nullptr; // LutHost::rowSlices; null for aligned tiles
    int numPartialSlots = 0;
    int numHeads = 0;
    int numBlocks = 0;
    int block = 0; // the layout's block
    TileConfig tile;
    int seqLen() const { return numBlocks * block; }
};

// The device view of a host table: `storage` holds its arrays as packLut laid them out (int32, each array 16-byte
// aligned, packedLutInts of them); the caller copies the packed ints to the device and passes the copy.
std::size_t packedLutInts(const LutHost& lut);
void packLut(const LutHost& lut, std::int32_t* storage);
DeviceLut deviceLutView(const LutHost& lut, const std::int32_t* deviceStorage);

bool wgmmaPreferred(int block, int headDim);

// The shared-memory pipeline depth (2 or 3 key/value stages) the kernels use for a layout block and head dim when
// the caller asks for none.
int pipelineStagesFor(int block, int headDim);

struct AttentionParams {
    DType dtype = DType::Float16;
    int batch = 0;
    int heads = 0;
    int seqLen = 0;
    int headDim = 0;
    // [batch, heads, seqLen, headDim]; strides in elements for (batch, head, row); the head dimension is contiguous.
    // Pointers 16-byte aligned, row strides multiples of 8 elements.
    const void* q = nullptr;
    const void* k = nullptr;
    const void* v = nullptr;
    void* out = nullptr;
    std::int64_t qStride[3] = { 0, 0, 0 };
    std::int64_t kStride[3] = { 0, 0, 0 };
    std::int64_t vStride[3] = { 0, 0, 0 };
    std::int64_t outStride[3] = { 0, 0, 0 };
    float scale = 1.0f;
    // Key padding: float32 [batch, seqLen], rows contiguous. Add: added to the scores; Mul: 0 excludes the key.
    const float* keyPadding = nullptr;
    MaskKind keyPaddingKind = MaskKind::None;
    std::int64_t keyPaddingBatchStride = 0;
    // Attention mask [seqLen, seqLen], contiguous. Add: float32 added to the scores; Mul: uint8, 0 excludes.
    const void* attnMask = nullptr;
    MaskKind attnMaskKind = MaskKind::None;
    DeviceLut lut;
    // Optional: each row's natural log-sum-exp of its (scaled, masked) scores, float32 [batch, heads, seqLen]
    // contiguous, -inf for a row that attends nothing (what the backward recomputes the probabilities from).
    float* logSumExp = nullptr;
    // Key/value shared-memory stages: 2 or 3; 0 lets pipelineStagesFor pick.
    int pipelineStages = 0;
    MatrixPath matrixPath = MatrixPath::Auto;
    // Workspace for split query tiles: numPartialSlots·batch·tileM·headDim floats and ·2 floats (row max, sum), and
    // numCombine·batch counters (zeroed by the launcher on params.stream).
    float* partialOut = nullptr;
    float* partialStats = nullptr;
    int* combineCounters = nullptr;
    cudaStream_t stream = nullptr;
};

std::size_t partialOutFloats(const DeviceLut& lut, int batch, int headDim);
std::size_t partialStatsFloats(const DeviceLut& lut, int batch);
std::size_t combineCounterInts(const DeviceLut& lut, int batch);

// Launches the forward on params.stream (after zeroing the combine counters when the LUT has split tiles). Returns
// an empty string on success, else a one-line message (bad argument or CUDA launch error).
std::string blockSparseAttentionForward(const AttentionParams& params);

} // namespace spw::kernels
