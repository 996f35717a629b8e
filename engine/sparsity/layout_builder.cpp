// makeLayout: DeepSpeed's make_layout for each mode (deepspeed/ops/sparse_attention/sparsity_config.py), one
// function per mode that follows DeepSpeed's loops, so that deterministic layouts match it bit for bit.
#include "sparsity/layout.h"

#include "common/available_memory.h"
#include "common/error.h"
#include "sparsity/random_source.h"

#include <algorithm>
#include <cstring>

namespace spw {
namespace {

// Layouts beyond this many blocks (all heads) would take gigabytes; no attention kernel wants them.
constexpr std::int64_t kMaxLayoutBlocks = std::int64_t(1) << 30;

// One head of the layout being built, written the way DeepSpeed writes its tensor.
class HeadCanvas {
public:
    HeadCanvas(Layout& layout, int head)
        : m_layout(layout)
        , m_head(head)
        , m_nb(layout.numBlocks)
    {
    }

    int numBlocks() const { return m_nb; }

    void set(std::int64_t row, std::int64_t col, BlockSource source)
    {
        auto i = m_layout.index(m_head, int(row), int(col));
        m_layout.mask[i] = 1;
        m_layout.source[i] = source;
    }

    // layout[h, rowBegin:rowEnd, colBegin:colEnd] = 1 with Python's slice rules: a negative bound counts from the
    // end and bounds are clamped to [0, nb]. DeepSpeed relies on them when a window is longer than the sequence.
    void fill(
        std::int64_t rowBegin, std::int64_t rowEnd, std::int64_t colBegin, std::int64_t colEnd, BlockSource source)
    {
        const auto r0 = sliceBound(rowBegin), r1 = sliceBound(rowEnd);
        const auto c0 = sliceBound(colBegin), c1 = sliceBound(colEnd);
        for (auto row = r0; row < r1; ++row)
            for (auto col = c0; col < c1; ++col)
                set(row, col, source);
    }
    void fillRows(std::int64_t rowBegin, std::int64_t rowEnd, BlockSource source)
    {
        fill(rowBegin, rowEnd, 0, m_nb, source);
    }

    // torch.tril: nothing above the diagonal.
    void keepLowerTriangle()
    {
        for (int row = 0; row < m_nb; ++row)
            for (int col = row + 1; col < m_nb; ++col) {
                auto i = m_layout.index(m_head, row, col);
                m_layout.mask[i] = 0;
                m_layout.source[i] = BlockSource::None;
            }
    }

private:
    std::int64_t sliceBound(std::int64_t bound) const
    {
        if (bound < 0)
            bound += m_nb;
        return std::clamp<std::int64_t>(bound, 0, m_nb);
    }

    Layout& m_layout;
    int m_head;
    int m_nb;
};

bool isUnidirectional(const SparsityConfig& config)
{
    return config.attention == AttentionDirection::Unidirectional;
}

// Lower-triangular blocks inside [begin, end) when unidirectional, the full square otherwise (set_local_layout).
void fillLocalWindow(HeadCanvas& canvas, const SparsityConfig& config, std::int64_t begin, std::int64_t end)
{
    for (auto row = begin; row < end; ++row) {
        const auto colEnd = isUnidirectional(config) ? row + 1 : end;
        for (auto col = begin; col < colEnd; ++col)
            canvas.set(row, col, BlockSource::Local);
    }
}

// FixedSparsityConfig.set_local_layout and set_global_layout for head h.
void fillFixed(HeadCanvas& canvas, const SparsityConfig& config, int head)
{
    const std::int64_t nb = canvas.numBlocks();
    const std::int64_t local = config.numLocalBlocks;
    const std::int64_t global = config.numGlobalBlocks;
    for (std::int64_t i = 0; i < nb; i += local)
        fillLocalWindow(canvas, config, i, std::min(i + local, nb));

    // Head h takes the (h % patterns)-th group of global blocks counted from the end of each window.
    const std::int64_t firstGlobal = local - (1 + head % config.numDifferentGlobalPatterns) * global;
    const std::int64_t fullWindowsEnd = nb - nb % local;
    auto fillGlobal = [&](std::int64_t begin, std::int64_t end) {
        const std::int64_t firstRow = isUnidirectional(config) ? begin : 0;
        canvas.fill(firstRow, nb, begin, end, BlockSource::Global);
        if (config.horizontalGlobalAttention)
            canvas.fillRows(begin, end, BlockSource::Global);
    };
    for (std::int64_t i = firstGlobal; i < fullWindowsEnd; i += local)
        fillGlobal(i, i + global);
    if (fullWindowsEnd < nb) {
        // A short last window: its global blocks as far along as the window allows.
        const std::int64_t start = std::min(fullWindowsEnd + firstGlobal, nb - global);
        fillGlobal(start, start + global);
    }
}

// Global columns (and rows when horizontal) at global_block_indices, or the ranges up to
// global_block_end_indices (VariableSparsityConfig.set_global_layout).
void fillVariableGlobal(HeadCanvas& canvas, const SparsityConfig& config)
{
    const std::int64_t nb = canvas.numBlocks();
    for (std::size_t k = 0; k < config.globalBlockIndices.size(); ++k) {
        const std::int64_t begin = config.globalBlockIndices[k];
        if (begin >= nb)
            continue;
        const std::int64_t end
            = config.globalBlockEndIndices ? std::min<std::int64_t>((*config.globalBlockEndIndices)[k], nb) : begin + 1;
        if (config.horizontalGlobalAttention)
            canvas.fillRows(begin, end, BlockSource::Global);
        const std::int64_t firstRow = isUnidirectional(config) ? begin : 0;
        canvas.fill(firstRow, nb, begin, end, BlockSource::Global);
    }
}

// num_random_blocks distinct columns per row. Unidirectional layouts draw only from columns <= row, and never
// more than there are (design.md §2: DeepSpeed's variable mode draws from the whole row, and bigbird's crashes on
// the first rows).
void fillRandom(HeadCanvas& canvas, const SparsityConfig& config, RandomSource& random)
{
    const int nb = canvas.numBlocks();
    for (int row = 0; row < nb; ++row) {
        const int population = isUnidirectional(config) ? row + 1 : nb;
        for (int col : random.sample(population, std::min(config.numRandomBlocks, population)))
            canvas.set(row, col, BlockSource::Random);
    }
}

// VariableSparsityConfig.set_local_layout: windows of the listed sizes, the last size repeating to the end.
void fillVariableLocal(HeadCanvas& canvas, const SparsityConfig& config)
{
    const std::int64_t nb = canvas.numBlocks();
    std::int64_t start = 0;
    std::int64_t end = 0;
    for (int size : config.localWindowBlocks) {
        end = std::min(end + size, nb);
        fillLocalWindow(canvas, config, start, end);
        start += size;
    }
    const std::int64_t lastSize = config.localWindowBlocks.back();
    for (std::int64_t i = start; i < nb; i += lastSize)
        fillLocalWindow(canvas, config, i, std::min(i + lastSize, nb));
}

void fillVariable(HeadCanvas& canvas, const SparsityConfig& config, RandomSource& random)
{
    fillRandom(canvas, config, random);
    fillVariableLocal(canvas, config);
    fillVariableGlobal(canvas, config);
}

// [row - w, row + w] with w = num_sliding_window_blocks / 2 (set_sliding_window_layout of BigBird and
// BSLongformer; the local mode's unidirectional variant stops at the row).
void fillSlidingWindow(HeadCanvas& canvas, const SparsityConfig& config, bool stopAtRow)
{
    const std::int64_t nb = canvas.numBlocks();
    const std::int64_t w = config.numSlidingWindowBlocks / 2;
    for (std::int64_t row = 0; row < nb; ++row) {
        const std::int64_t end = stopAtRow ? row + 1 : std::min(row + w + 1, nb);
        canvas.fill(row, row + 1, std::max<std::int64_t>(0, row - w), end, BlockSource::Local);
    }
}

void fillBigBird(HeadCanvas& canvas, const SparsityConfig& config, RandomSource& random)
{
    fillRandom(canvas, config, random);
    fillSlidingWindow(canvas, config, false);
    canvas.fillRows(0, config.numGlobalBlocks, BlockSource::Global);
    canvas.fill(0, canvas.numBlocks(), 0, config.numGlobalBlocks, BlockSource::Global);
    if (isUnidirectional(config))
        canvas.keepLowerTriangle();
}

// BSLongformerSparsityConfig.set_global_layout: global rows and columns, always both.
void fillBSLongformer(HeadCanvas& canvas, const SparsityConfig& config)
{
    const std::int64_t nb = canvas.numBlocks();
    fillSlidingWindow(canvas, config, false);
    for (std::size_t k = 0; k < config.globalBlockIndices.size(); ++k) {
        const std::int64_t begin = config.globalBlockIndices[k];
        if (begin >= nb)
            continue;
        const std::int64_t end
            = config.globalBlockEndIndices ? std::min<std::int64_t>((*config.globalBlockEndIndices)[k], nb) : begin + 1;
        canvas.fillRows(begin, end, BlockSource::Global);
        canvas.fill(0, nb, begin, end, BlockSource::Global);
    }
    if (isUnidirectional(config))
        canvas.keepLowerTriangle();
}

void requireAtMostRow(const char* field, int value, const SparsityConfig& config, std::int64_t seqLen, int nb)
{
    if (value > nb)
        fail("{} ({}) must not exceed the number of blocks in a row ({} = seq_len {} / block {})", field, value, nb,
            seqLen, config.block);
}

// The checks DeepSpeed makes inside make_layout, where the number of blocks is known.
void validateForLength(const SparsityConfig& config, std::int64_t seqLen, int nb)
{
    switch (config.mode) {
    case SparsityMode::Variable:
        requireAtMostRow("num_random_blocks", config.numRandomBlocks, config, seqLen, nb);
        break;
    case SparsityMode::BigBird:
        requireAtMostRow("num_random_blocks", config.numRandomBlocks, config, seqLen, nb);
        requireAtMostRow("num_sliding_window_blocks", config.numSlidingWindowBlocks, config, seqLen, nb);
        requireAtMostRow("num_global_blocks", config.numGlobalBlocks, config, seqLen, nb);
        break;
    case SparsityMode::BSLongformer:
    case SparsityMode::Local:
        requireAtMostRow("num_sliding_window_blocks", config.numSlidingWindowBlocks, config, seqLen, nb);
        break;
    case SparsityMode::Dense:
    case SparsityMode::Fixed:
        break;
    }
}

// Modes whose heads may differ: DeepSpeed's dense and local classes always share head 0's layout.
bool headsMayDiffer(const SparsityConfig& config)
{
    return config.differentLayoutPerHead && config.mode != SparsityMode::Dense && config.mode != SparsityMode::Local;
}

} // namespace

void validateLayoutRequest(const SparsityConfig& config, std::int64_t seqLen, int numHeads)
{
    validate(config);
    if (numHeads == 0)
        numHeads = config.numHeads;
    if (numHeads <= 0)
        fail("num_heads is not set: give it in the configuration or with --heads");
    if (seqLen <= 0)
        fail("seq_len ({}) must be positive", seqLen);
    if (seqLen % config.block != 0)
        fail("seq_len ({}) must be a multiple of block ({})", seqLen, config.block);
    const std::int64_t nb64 = seqLen / config.block;
    if (nb64 > kMaxLayoutBlocks / nb64 / numHeads)
        fail("layout too large: num_heads {} x (seq_len {} / block {})^2 blocks exceeds {}", numHeads, seqLen,
            config.block, kMaxLayoutBlocks);
    validateForLength(config, seqLen, int(nb64));
}

Layout makeLayout(const SparsityConfig& config, std::int64_t seqLen, int numHeads, std::uint64_t seed)
{
    validateLayoutRequest(config, seqLen, numHeads);
    if (numHeads == 0)
        numHeads = config.numHeads;
    const std::int64_t nb64 = seqLen / config.block;
    const int nb = int(nb64);
    // A mask byte and a source byte per block.
    requireMemory(2.0 * double(numHeads) * double(nb64) * double(nb64),
        fmt::format("the layout of {} heads × {}×{} blocks (seq_len {} / block {})", numHeads, nb64, nb64, seqLen,
            config.block));

    Layout layout;
    layout.numHeads = numHeads;
    layout.numBlocks = nb;
    layout.block = config.block;
    const std::size_t headSize = std::size_t(nb) * std::size_t(nb);
    layout.mask.assign(headSize * std::size_t(numHeads), 0);
    layout.source.assign(headSize * std::size_t(numHeads), BlockSource::None);

    RandomSource random(seed);
    const int layoutHeads = headsMayDiffer(config) ? numHeads : 1;
    for (int head = 0; head < layoutHeads; ++head) {
        HeadCanvas canvas(layout, head);
        switch (config.mode) {
        case SparsityMode::Dense:
            canvas.fill(0, nb, 0, nb, BlockSource::Dense);
            break;
        case SparsityMode::Fixed:
            fillFixed(canvas, config, head);
            break;
        case SparsityMode::Variable:
            fillVariable(canvas, config, random);
            break;
        case SparsityMode::BigBird:
            fillBigBird(canvas, config, random);
            break;
        case SparsityMode::BSLongformer:
            fillBSLongformer(canvas, config);
            break;
        case SparsityMode::Local:
            fillSlidingWindow(canvas, config, isUnidirectional(config));
            break;
        }
    }
    // check_and_propagate_first_head_layout: heads share head 0's layout.
    for (int head = layoutHeads; head < numHeads; ++head) {
        std::copy_n(layout.mask.begin(), headSize, layout.mask.begin() + std::ptrdiff_t(headSize * head));
        std::copy_n(layout.source.begin(), headSize, layout.source.begin() + std::ptrdiff_t(headSize * head));
    }
    layout.fingerprint = computeFingerprint(layout);
    return layout;
}

Layout Layout::topLeft(int n) const
{
    if (n <= 0 || n > numBlocks)
        fail("a layout of {} blocks has no top-left corner of {} blocks", numBlocks, n);
    Layout corner;
    corner.numHeads = numHeads;
    corner.numBlocks = n;
    corner.block = block;
    corner.mask.reserve(std::size_t(numHeads) * n * n);
    corner.source.reserve(corner.mask.capacity());
    for (int head = 0; head < numHeads; ++head)
        for (int row = 0; row < n; ++row) {
            const auto begin = std::ptrdiff_t(index(head, row, 0));
            corner.mask.insert(corner.mask.end(), mask.begin() + begin, mask.begin() + begin + n);
            corner.source.insert(corner.source.end(), source.begin() + begin, source.begin() + begin + n);
        }
    corner.fingerprint = computeFingerprint(corner);
    return corner;
}

std::uint64_t computeFingerprint(const Layout& layout)
{
    // FNV-1a over the shape and then the mask in 8-byte words, with an extra shift-xor per word so that the low bits
    // mix; the mask is 0/1 bytes, so words differ in few bits.
    std::uint64_t hash = 1469598103934665603ull;
    auto mix = [&hash](std::uint64_t word) {
        hash = (hash ^ word) * 1099511628211ull;
        hash ^= hash >> 29;
    };
    mix(std::uint64_t(layout.numHeads));
    mix(std::uint64_t(layout.numBlocks));
    mix(std::uint64_t(layout.block));
    const std::size_t words = layout.mask.size() / 8;
    for (std::size_t i = 0; i < words; ++i) {
        std::uint64_t word;
        std::memcpy(&word, layout.mask.data() + i * 8, 8);
        mix(word);
    }
    for (std::size_t i = words * 8; i < layout.mask.size(); ++i)
        mix(layout.mask[i]);
    return hash == 0 ? 1 : hash;
}

} // namespace spw
