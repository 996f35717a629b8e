#include "layout_cache.h"

#include <list>
#include <mutex>

namespace spw::ops {
namespace {

// Enough for the layouts of one model's padded lengths and a few models in one process.
constexpr std::size_t kCapacity = 8;

struct Entry {
    at::Tensor tensor;
    std::int64_t version;
    std::int64_t block;
    std::shared_ptr<const Layout> layout;

    bool matches(const at::Tensor& other, std::int64_t otherBlock) const
    {
        return block == otherBlock && tensor.storage().is_alias_of(other.storage())
            && tensor.storage_offset() == other.storage_offset() && tensor.sizes() == other.sizes()
            && tensor.strides() == other.strides() && tensor.scalar_type() == other.scalar_type()
            && tensor.device() == other.device() && version == other._version();
    }
};

} // namespace

std::shared_ptr<const Layout> cachedLayout(
    const at::Tensor& layout, std::int64_t block, const std::function<Layout()>& convert)
{
    if (layout.is_inference() || !layout.has_storage())
        return std::make_shared<const Layout>(convert());
    static std::mutex mutex;
    static std::list<Entry> entries;
    {
        const std::lock_guard<std::mutex> lock(mutex);
        for (auto it = entries.begin(); it != entries.end(); ++it) {
            if (it->matches(layout, block)) {
                entries.splice(entries.begin(), entries, it);
                return entries.front().layout;
            }
        }
    }
    // Converted outside the lock: a large layout takes milliseconds, and other threads' lookups need not wait.
    auto converted = std::make_shared<const Layout>(convert());
    const std::lock_guard<std::mutex> lock(mutex);
    entries.push_front({ layout, layout._version(), block, converted });
    if (entries.size() > kCapacity)
        entries.pop_back();
    return converted;
}

} // namespace spw::ops
