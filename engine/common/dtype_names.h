#pragma once
// The dtype names the CLI flags, the GUI and the JSON reports use ("float32", "float16", "bfloat16"), in one place.
#include <ATen/ATen.h>

#include <string>

namespace spw {

// "float16" and "bfloat16" name the half types; anything else is float32 (callers validate the name first).
inline at::ScalarType dtypeFromName(const std::string& name)
{
    if (name == "float16")
        return at::kHalf;
    if (name == "bfloat16")
        return at::kBFloat16;
    return at::kFloat;
}

inline std::string dtypeName(at::ScalarType type)
{
    if (type == at::kHalf)
        return "float16";
    if (type == at::kBFloat16)
        return "bfloat16";
    return "float32";
}

} // namespace spw
