#include "ReadBandwidth.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace cli {

double measureReadBandwidth(int threads, long long bytes, int passes)
{
    threads = std::max(1, threads);
    std::vector<uint64_t> buffer(static_cast<size_t>(bytes) / sizeof(uint64_t), 1);   // written: every page is real memory
    std::vector<uint64_t> sums(static_cast<size_t>(threads) * 8);                        // one cache line per thread
    const size_t slice = buffer.size() / threads;
    double best = 0;
    for (int pass = 0; pass < passes; ++pass) {
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                const uint64_t* p = buffer.data() + slice * t;
                uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (size_t i = 0; i + 4 <= slice; i += 4) {
                    s0 += p[i];
                    s1 += p[i + 1];
                    s2 += p[i + 2];
                    s3 += p[i + 3];
                }
                sums[static_cast<size_t>(t) * 8] = s0 + s1 + s2 + s3;
            });
        for (std::thread& th : pool)
            th.join();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = std::max(best, static_cast<double>(slice * threads * sizeof(uint64_t)) / seconds / 1e9);
    }
    return sums[0] == 0 ? best : best; // the sums are kept so the reads are not optimised away
}

} // namespace cli
