#pragma once
// Causal multi-head attention over the KV cache for a batch of queries (GQA, sliding window,
// soft-capping). With an F16 cache, prefill runs as tiled matrix products per KV head and block
// of tokens, and generation deep in the cache as slices of the keys per KV head (flash-decoding);
// otherwise one (token, head) pair per task.

#include "cpu/ThreadPool.h"
#include "runtime/Types.h"

#include <cstdint>
#include <vector>

namespace engine::cpu {

struct AttentionArgs {
    const float* q = nullptr;        // (n, nHead · headDim)
    const void* kCache = nullptr;    // (capacity, nHeadKv · headDim), F16 or F32
    const void* vCache = nullptr;    // (capacity, nHeadKv · headDimV)
    KvCacheType kvType = KvCacheType::F16;
    int n = 0;                       // queries, at positions pos0 .. pos0 + n − 1
    int pos0 = 0;
    int nHead = 0;
    int nHeadKv = 0;
    int headDim = 0;
    int headDimV = 0;
    float scale = 1.0f;              // applied to q·k before the softmax
    float softcap = 0.0f;            // 0: none; else scores = c·tanh(q·k·scale / c)
    int window = 0;                  // 0: full causal; else keys j with pos − window < j ≤ pos
    float* out = nullptr;            // (n, nHead · headDimV)
};

// Per-thread scratch for attention, grown on demand.
struct AttentionScratch {
    std::vector<std::vector<float>> scores;
    std::vector<std::vector<uint16_t>> q16;
    struct Thread {
        std::vector<uint16_t> q16, p16, vT;
        std::vector<float> scores, out;
    };
    std::vector<Thread> threads; // the tiled and split paths
    std::vector<float> partOut, partMax, partSum; // the split path's slices
    bool perQueryOnly = false;   // tests: compare the two paths
};

void attention(ThreadPool& pool, const AttentionArgs& args, AttentionScratch& scratch);

} // namespace engine::cpu
