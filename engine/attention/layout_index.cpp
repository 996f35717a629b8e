#include "attention/layout_index.h"

#include <algorithm>
#include <map>

namespace spw {
namespace {

bool sameHeadLayout(const Layout& layout, int a, int b)
{
    const std::size_t size = std::size_t(layout.numBlocks) * layout.numBlocks;
    const auto first = layout.mask.begin() + std::ptrdiff_t(layout.index(a, 0, 0));
    const auto second = layout.mask.begin() + std::ptrdiff_t(layout.index(b, 0, 0));
    return std::equal(first, first + std::ptrdiff_t(size), second);
}

std::vector<RowBucket> bucketRows(const Layout& layout, int head)
{
    std::map<std::int64_t, RowBucket> byWidth;
    std::vector<std::int64_t> columns;
    for (int row = 0; row < layout.numBlocks; ++row) {
        columns.clear();
        for (int col = 0; col < layout.numBlocks; ++col) {
            if (layout.at(head, row, col))
                columns.push_back(col);
        }
        if (columns.empty())
            continue;
        RowBucket& bucket = byWidth[std::int64_t(columns.size())];
        bucket.width = std::int64_t(columns.size());
        bucket.rows.push_back(row);
        bucket.columns.insert(bucket.columns.end(), columns.begin(), columns.end());
    }
    std::vector<RowBucket> buckets;
    for (auto& entry : byWidth)
        buckets.push_back(std::move(entry.second));
    return buckets;
}

} // namespace

LayoutIndex buildLayoutIndex(const Layout& layout)
{
    LayoutIndex index;
    std::vector<int> representatives; // first head of each group
    for (int head = 0; head < layout.numHeads; ++head) {
        std::size_t group = 0;
        while (group < representatives.size() && !sameHeadLayout(layout, representatives[group], head))
            ++group;
        if (group == representatives.size()) {
            representatives.push_back(head);
            HeadGroup created;
            created.buckets = bucketRows(layout, head);
            for (const RowBucket& bucket : created.buckets)
                index.nonzeroBlocksPerGroupHead += std::int64_t(bucket.rows.size()) * bucket.width;
            index.groups.push_back(std::move(created));
        }
        index.groups[group].heads.push_back(head);
    }
    return index;
}

} // namespace spw
