#include "common/folder_containment.h"

#include "common/error.h"

#include <algorithm>
#include <system_error>

namespace spw {
namespace fs = std::filesystem;
namespace {

// Absolute, with every existing part's links followed; empty when the file system cannot say.
fs::path resolved(const fs::path& path)
{
    std::error_code error;
    fs::path result = fs::weakly_canonical(fs::absolute(path, error), error);
    return error ? fs::path() : result;
}

bool isWithin(const fs::path& inner, const fs::path& outer)
{
    return std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end()).first == outer.end();
}

} // namespace

bool resolvesInsideFolder(const fs::path& folder, const fs::path& path)
{
    const fs::path root = resolved(folder);
    const fs::path target = resolved(path);
    if (root.empty() || target.empty())
        return false;
    if (isWithin(target, root))
        return true;
    const fs::path snapshots = root.parent_path();
    return snapshots.filename() == "snapshots" && isWithin(target, snapshots.parent_path() / "blobs");
}

void requireInsideFolder(const fs::path& folder, const fs::path& path)
{
    if (!resolvesInsideFolder(folder, path))
        fail("{}: leads outside the model folder {} (to {})", path.string(), folder.string(), resolved(path).string());
}

} // namespace spw
