#pragma once
// Memory read bandwidth as generation sees it: threads summing disjoint slices of a buffer much
// larger than the caches. bench --roof compares the bytes of weights read per second while
// generating with it (generation reads every weight once per token).

namespace cli {

// GB/s (1e9 bytes per second), the best of `passes` passes over `bytes` with `threads` threads.
double measureReadBandwidth(int threads, long long bytes = 1ll << 30, int passes = 5);

} // namespace cli
