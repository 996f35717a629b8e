#pragma once
// The engine reports argument mistakes as spw::Error; at the operator boundary they become c10::Error, which Python
// raises as RuntimeError and C++ callers of the dispatcher catch as PyTorch's own error type.
#include "common/error.h"

#include <c10/util/Exception.h>

namespace spw::ops {

template <typename Call> auto translatingEngineErrors(Call&& call) -> decltype(call())
{
    try {
        return call();
    } catch (const Error& e) {
        C10_THROW_ERROR(Error, e.what());
    }
}

} // namespace spw::ops
