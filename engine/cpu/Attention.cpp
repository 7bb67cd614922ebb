#include "cpu/Attention.h"

#include "cpu/Ops.h"
#include "quant/Quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace engine::cpu {

void attention(ThreadPool& pool, const AttentionArgs& a, AttentionScratch& scratch)
{
    const VectorOps& ops = vectorOps();
    const int capacity = a.pos0 + a.n;
    scratch.scores.resize(pool.size());
    scratch.q16.resize(pool.size());
    for (auto& s : scratch.scores)
        if (static_cast<int>(s.size()) < capacity)
            s.resize(capacity);
    for (auto& s : scratch.q16)
        if (static_cast<int>(s.size()) < a.headDim)
            s.resize(a.headDim);

    const int group = a.nHead / a.nHeadKv;
    const int qStride = a.nHead * a.headDim;
    const int kStride = a.nHeadKv * a.headDim;
    const int vStride = a.nHeadKv * a.headDimV;
    const bool f16 = a.kvType == KvCacheType::F16;

    pool.parallelFor(a.n * a.nHead, [&](int task, int thread) {
        const int t = task / a.nHead;
        const int h = task % a.nHead;
        const int kvh = h / group;
        const int pos = a.pos0 + t;
        const int first = a.window > 0 ? std::max(0, pos - a.window + 1) : 0;
        float* scores = scratch.scores[thread].data();
        const float* q = a.q + static_cast<size_t>(t) * qStride + static_cast<size_t>(h) * a.headDim;
        uint16_t* q16 = scratch.q16[thread].data();

        // Scores. With an F16 cache the query is rounded to F16 too, as ggml's F16 mat-mul does.
        if (f16) {
            ops.toF16(q, q16, a.headDim);
            const uint16_t* k = static_cast<const uint16_t*>(a.kCache) + static_cast<size_t>(kvh) * a.headDim;
            ops.scoresF16(q16, k + static_cast<size_t>(first) * kStride, kStride, pos - first + 1, a.headDim, scores + first);
        } else {
            const float* k = static_cast<const float*>(a.kCache) + static_cast<size_t>(kvh) * a.headDim;
            for (int j = first; j <= pos; ++j)
                scores[j] = ops.dotF32(q, k + static_cast<size_t>(j) * kStride, a.headDim);
        }
        float* s = scores + first;
        const int count = pos - first + 1;
        if (a.softcap > 0.0f) {
            for (int j = 0; j < count; ++j)
                s[j] *= a.scale;
            softcap(s, count, a.softcap);
        } else {
            for (int j = 0; j < count; ++j)
                s[j] *= a.scale;
        }
        softmax(s, count);

        // Weighted sum of values. With an F16 cache the weights are rounded to F16 as well.
        float* out = a.out + static_cast<size_t>(t) * a.nHead * a.headDimV + static_cast<size_t>(h) * a.headDimV;
        if (f16) {
            const uint16_t* v = static_cast<const uint16_t*>(a.vCache) + static_cast<size_t>(kvh) * a.headDimV;
            ops.weightedSumF16(s, v + static_cast<size_t>(first) * vStride, vStride, count, a.headDimV, out);
        } else {
            std::memset(out, 0, sizeof(float) * a.headDimV);
            const float* v = static_cast<const float*>(a.vCache) + static_cast<size_t>(kvh) * a.headDimV;
            for (int j = 0; j < count; ++j)
                if (s[j] != 0.0f)
                    ops.axpyF32(s[j], v + static_cast<size_t>(first + j) * vStride, out, a.headDimV);
        }
    });
}

} // namespace engine::cpu
