#include "common/output_paths.h"

#include "common/error.h"

#include <algorithm>
#include <system_error>

namespace spw {
namespace fs = std::filesystem;

fs::path resolvedPath(const fs::path& path)
{
    std::error_code error;
    fs::path result = fs::weakly_canonical(fs::absolute(path), error);
    if (error)
        fail("{}: cannot resolve the path ({})", path.string(), error.message());
    if (result.filename().empty())
        result = result.parent_path();
    return result;
}

bool isSameOrWithin(const fs::path& inner, const fs::path& outer)
{
    auto [outerEnd, innerIt] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
    return outerEnd == outer.end();
}

void checkOutputOutside(
    const std::string& output, const std::string& flag, const std::string& input, const std::string& inputRole)
{
    const fs::path resolvedOutput = resolvedPath(output);
    const fs::path resolvedInput = resolvedPath(input);
    if (resolvedOutput == resolvedInput)
        fail("{} {}: is {} {}, which this command reads; write it elsewhere", flag, output, inputRole, input);
    if (isSameOrWithin(resolvedOutput, resolvedInput))
        fail("{} {}: lies inside {} {}, which this command reads; write it elsewhere", flag, output, inputRole, input);
}

} // namespace spw
