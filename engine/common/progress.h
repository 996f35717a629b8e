#pragma once
// Long engine operations report progress through a callback that may cancel, as llama.cpp's progress callback does:
// it receives the fraction done in [0, 1] and returns false to stop. The engine then throws spw::Cancelled.
#include "common/error.h"

#include <functional>

namespace spw {

using ProgressCallback = std::function<bool(float fraction)>;

inline void reportProgress(const ProgressCallback& progress, float fraction)
{
    if (progress && !progress(fraction))
        throw Cancelled();
}

} // namespace spw
