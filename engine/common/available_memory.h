#pragma once
// How much memory the machine can still give this process without swapping (Linux's MemAvailable), so that work
// whose size the user chose (dense L×L attention on the CPU, a position table of N rows, a model's shape, a layout
// at a length) can be refused with a message before it is started, instead of ending in LibTorch's allocator error or
// the kernel's out-of-memory killer.
#include <cstdint>
#include <optional>
#include <string>

namespace spw {

// Bytes, or nothing where /proc/meminfo cannot be read (not Linux).
std::optional<std::uint64_t> availableMemoryBytes();

// The one rule for sizes chosen by the user: throws spw::Error "<what> needs about X GiB, more than the Y GiB of
// memory available[: <advice>]" when `bytes` (an estimate) exceed the available memory. Below a quarter GiB, or
// where the available memory is unknown, nothing is refused.
void requireMemory(double bytes, const std::string& what, const std::string& advice = {});

} // namespace spw
