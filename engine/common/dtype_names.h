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
    switch (type) {
    case at::kFloat:
        return "float32";
    case at::kHalf:
        return "float16";
    case at::kBFloat16:
        return "bfloat16";
    case at::kDouble:
        return "float64";
    default:
        return c10::toString(type); // types no flag takes (a checkpoint's integer tensors): as ATen names them
    }
}

} // namespace spw
