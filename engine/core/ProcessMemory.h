#pragma once
// How much memory this process holds, as the kernel counts it (for statistics shown to people
// and for the memory checks of the tests).

#include <cstdint>
#include <optional>

namespace engine {

// The peak resident set size (VmHWM) so far; nullopt where /proc does not tell.
std::optional<int64_t> peakResidentBytes();
// The current resident set size (VmRSS).
std::optional<int64_t> residentBytes();

} // namespace engine
