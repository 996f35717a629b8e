#pragma once
// How much memory the machine can still give this process without swapping (Linux's MemAvailable), so that work
// whose size the user chose (dense L×L attention on the CPU) can be refused with a message before it is started,
// instead of ending in the kernel's out-of-memory killer.
#include <cstdint>
#include <optional>

namespace spw {

// Bytes, or nothing where /proc/meminfo cannot be read (not Linux).
std::optional<std::uint64_t> availableMemoryBytes();

} // namespace spw
