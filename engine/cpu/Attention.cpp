#include "cpu/Attention.h"

#include "cpu/Ops.h"
#include "quant/Quant.h"

#include "quant/Kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace engine::cpu {

namespace {

// Tiled attention needs this many query rows per KV head (tokens × heads sharing it) to pay for
// transposing the values; decode (one token) keeps one task per head and its split of the keys.
constexpr int kMinTiledQueries = 16;
// Scores a task may hold (floats): bounds the scratch at long contexts by taking fewer tokens.
constexpr size_t kScoreBudget = size_t(1) << 20;
constexpr int kMaxTokensPerTask = 16;
// Generation: the split path from this many keys (below, the per-query tasks are as fast and
// need no merge), in slices of at least kMinSliceKeys.
constexpr int kMinSplitKeys = 256;
constexpr int kMinSliceKeys = 128;

int firstKey(const AttentionArgs& a, int pos)
{
    return a.window > 0 ? std::max(0, pos - a.window + 1) : 0;
}

// q·k scores as the softmax takes them: scaled, then soft-capped.
void scaleScores(const AttentionArgs& a, float* s, int count)
{
    for (int j = 0; j < count; ++j)
        s[j] *= a.scale;
    if (a.softcap > 0.0f)
        softcap(s, count, a.softcap);
}

// The two grouped paths (F16 cache): the query heads that share a KV head are handled together,
// their products through the F16 tiles of the weight matmuls.
struct GroupedHeads {
    explicit GroupedHeads(const AttentionArgs& args)
        : a(args), group(args.nHead / args.nHeadKv), kStride(args.nHeadKv * args.headDim), vStride(args.nHeadKv * args.headDimV)
    {
    }

    // The queries of tokens [t0, t1) for the heads of KV head kvh, token-major, rounded to F16
    // (as the per-query path and ggml's F16 product round them).
    void queries(int kvh, int t0, int t1, uint16_t* dst) const
    {
        for (int t = t0; t < t1; ++t)
            for (int g = 0; g < group; ++g)
                ops.toF16(a.q + static_cast<size_t>(t) * a.nHead * a.headDim + static_cast<size_t>(kvh * group + g) * a.headDim,
                          dst + static_cast<size_t>((t - t0) * group + g) * a.headDim, a.headDim);
    }
    // scores[r · keys + j] = q_r · k_(k0 + j) for the `rows` queries of q16.
    void scores(int kvh, int k0, int keys, const uint16_t* q16, int rows, float* out) const
    {
        const uint16_t* k = static_cast<const uint16_t*>(a.kCache) + static_cast<size_t>(k0) * kStride + static_cast<size_t>(kvh) * a.headDim;
        tile(a.headDim, keys, rows, k, sizeof(uint16_t) * kStride, q16, sizeof(uint16_t) * a.headDim, out, static_cast<size_t>(keys));
    }
    const uint16_t* values(int kvh, int k0) const
    {
        return static_cast<const uint16_t*>(a.vCache) + static_cast<size_t>(k0) * vStride + static_cast<size_t>(kvh) * a.headDimV;
    }

    const AttentionArgs& a;
    const VectorOps& ops = vectorOps();
    const quant::MatMulTileFn tile = quant::matMulTile(quant::TensorType::F16);
    const int group, kStride, vStride;
};

// The scores row of one query (keys lo .. hi of the task's range [k0, k1), the rest masked):
// scale, soft-cap, softmax, then the weights rounded to F16 as ggml's F16 product rounds them.
void weightsRow(const AttentionArgs& a, const VectorOps& ops, float* s, int k0, int k1, int lo, int hi, uint16_t* p16)
{
    float* live = s + (lo - k0);
    const int count = hi - lo + 1;
    scaleScores(a, live, count);
    softmax(live, count);
    std::fill(p16, p16 + (lo - k0), uint16_t(0));
    ops.toF16(live, p16 + (lo - k0), count);
    std::fill(p16 + (hi - k0 + 1), p16 + (k1 - k0), uint16_t(0));
}

// Prefill with an F16 cache: for one KV head and a block of tokens, all query heads that share
// the head form one matrix, and both products run through the F16 tile kernels (register tiles
// of 4 keys × 3 queries) instead of one query at a time: each key and value is converted once
// per three queries rather than once per query.
void attentionTiled(ThreadPool& pool, const AttentionArgs& a, AttentionScratch& scratch)
{
    const GroupedHeads heads(a);
    const int group = heads.group;
    const size_t keysMax = static_cast<size_t>(a.pos0 + a.n);
    const int tokensPerTask = static_cast<int>(
        std::clamp<size_t>(kScoreBudget / (keysMax * static_cast<size_t>(group)), 1, kMaxTokensPerTask));
    const int blocks = (a.n + tokensPerTask - 1) / tokensPerTask;
    scratch.threads.resize(pool.size());

    pool.parallelFor(blocks * a.nHeadKv, [&](int task, int thread) {
        const int kvh = task % a.nHeadKv;
        const int t0 = task / a.nHeadKv * tokensPerTask;
        const int t1 = std::min(a.n, t0 + tokensPerTask);
        const int rows = (t1 - t0) * group; // query rows, token-major
        const int k0 = firstKey(a, a.pos0 + t0);
        const int k1 = a.pos0 + t1; // keys [k0, k1)
        const int keys = k1 - k0;
        const int keysPadded = (keys + 7) / 8 * 8; // row starts on 16 bytes for the F16 loads
        AttentionScratch::Thread& ts = scratch.threads[static_cast<size_t>(thread)];
        ts.q16.resize(static_cast<size_t>(rows) * a.headDim);
        ts.scores.resize(static_cast<size_t>(rows) * keys);
        ts.p16.resize(static_cast<size_t>(rows) * keysPadded);
        ts.vT.resize(static_cast<size_t>(a.headDimV) * keysPadded);
        ts.out.resize(static_cast<size_t>(rows) * a.headDimV);

        heads.queries(kvh, t0, t1, ts.q16.data());
        heads.scores(kvh, k0, keys, ts.q16.data(), rows, ts.scores.data());
        for (int r = 0; r < rows; ++r) {
            const int pos = a.pos0 + t0 + r / group;
            weightsRow(a, heads.ops, ts.scores.data() + static_cast<size_t>(r) * keys, k0, k1, firstKey(a, pos), pos,
                       ts.p16.data() + static_cast<size_t>(r) * keysPadded);
        }

        // Values transposed (one row per output dimension) so that the product is again a tile.
        const uint16_t* vBase = heads.values(kvh, k0);
        for (int j = 0; j < keys; ++j) {
            const uint16_t* v = vBase + static_cast<size_t>(j) * heads.vStride;
            for (int d = 0; d < a.headDimV; ++d)
                ts.vT[static_cast<size_t>(d) * keysPadded + j] = v[d];
        }
        heads.tile(keys, a.headDimV, rows, ts.vT.data(), sizeof(uint16_t) * keysPadded, ts.p16.data(), sizeof(uint16_t) * keysPadded,
             ts.out.data(), static_cast<size_t>(a.headDimV));

        for (int t = t0; t < t1; ++t)
            for (int g = 0; g < group; ++g)
                std::memcpy(a.out + static_cast<size_t>(t) * a.nHead * a.headDimV + static_cast<size_t>(kvh * group + g) * a.headDimV,
                            ts.out.data() + static_cast<size_t>((t - t0) * group + g) * a.headDimV, sizeof(float) * a.headDimV);
    });
}

// Generation deep in the cache (F16, grouped heads): one task per token, KV head and slice of
// the keys (flash-decoding). The heads sharing the KV head score the slice together through the
// F16 tiles and sum its values together (each value row converted once for all of them); each
// task leaves an unnormalised partial output with its maximum and sum, and the slices are
// merged afterwards. The per-query path reads every key and value once per query head.
void attentionSplit(ThreadPool& pool, const AttentionArgs& a, AttentionScratch& scratch)
{
    const GroupedHeads heads(a);
    const VectorOps& ops = heads.ops;
    const int group = heads.group;
    const int longest = a.pos0 + a.n - firstKey(a, a.pos0 + a.n - 1);
    // About four tasks per thread, each slice at least kMinSliceKeys long.
    const int wanted = std::max(1, 4 * pool.size() / (a.n * a.nHeadKv));
    const int slices = std::clamp(longest / kMinSliceKeys, 1, wanted);
    const size_t partials = static_cast<size_t>(a.n) * a.nHead * slices;
    scratch.partOut.resize(partials * a.headDimV);
    scratch.partMax.resize(partials);
    scratch.partSum.resize(partials);
    scratch.threads.resize(pool.size());

    pool.parallelFor(a.n * a.nHeadKv * slices, [&](int task, int thread) {
        const int slice = task % slices;
        const int kvh = task / slices % a.nHeadKv;
        const int t = task / slices / a.nHeadKv;
        const int pos = a.pos0 + t;
        const int first = firstKey(a, pos);
        const int count = pos - first + 1;
        const int k0 = first + static_cast<int>(static_cast<int64_t>(count) * slice / slices);
        const int k1 = first + static_cast<int>(static_cast<int64_t>(count) * (slice + 1) / slices);
        const int keys = k1 - k0;
        const size_t part0 = (static_cast<size_t>(t) * a.nHead + static_cast<size_t>(kvh) * group) * slices + slice; // head g: + g·slices
        if (keys == 0) {
            for (int g = 0; g < group; ++g) {
                scratch.partMax[part0 + static_cast<size_t>(g) * slices] = -std::numeric_limits<float>::infinity();
                scratch.partSum[part0 + static_cast<size_t>(g) * slices] = 0.0f;
            }
            return;
        }
        AttentionScratch::Thread& ts = scratch.threads[static_cast<size_t>(thread)];
        ts.q16.resize(static_cast<size_t>(group) * a.headDim);
        ts.scores.resize(static_cast<size_t>(group) * keys);
        heads.queries(kvh, t, t + 1, ts.q16.data());
        heads.scores(kvh, k0, keys, ts.q16.data(), group, ts.scores.data());
        for (int g = 0; g < group; ++g) {
            float* s = ts.scores.data() + static_cast<size_t>(g) * keys;
            scaleScores(a, s, keys);
            const float max = ops.maxOf(s, keys);
            scratch.partMax[part0 + static_cast<size_t>(g) * slices] = max;
            scratch.partSum[part0 + static_cast<size_t>(g) * slices] = static_cast<float>(ops.expShifted(s, keys, max));
        }
        ops.weightedSumF16Heads(ts.scores.data(), static_cast<size_t>(keys), group, heads.values(kvh, k0), heads.vStride, keys, a.headDimV,
                                scratch.partOut.data() + part0 * a.headDimV, static_cast<size_t>(slices) * a.headDimV);
    });

    for (int t = 0; t < a.n; ++t)
        for (int h = 0; h < a.nHead; ++h) {
            const size_t part0 = (static_cast<size_t>(t) * a.nHead + h) * slices;
            float max = -std::numeric_limits<float>::infinity();
            for (int s = 0; s < slices; ++s)
                max = std::max(max, scratch.partMax[part0 + s]);
            float* out = a.out + static_cast<size_t>(t) * a.nHead * a.headDimV + static_cast<size_t>(h) * a.headDimV;
            std::fill(out, out + a.headDimV, 0.0f);
            double sum = 0.0;
            for (int s = 0; s < slices; ++s) {
                if (scratch.partSum[part0 + s] == 0.0f)
                    continue;
                const float w = std::exp(scratch.partMax[part0 + s] - max);
                sum += static_cast<double>(w) * scratch.partSum[part0 + s];
                ops.axpyF32(w, scratch.partOut.data() + (part0 + s) * a.headDimV, out, a.headDimV);
            }
            const float inv = static_cast<float>(1.0 / sum);
            for (int i = 0; i < a.headDimV; ++i)
                out[i] *= inv;
        }
}

} // namespace

void attention(ThreadPool& pool, const AttentionArgs& a, AttentionScratch& scratch)
{
    const int group = a.nHead / a.nHeadKv;
    if (a.kvType == KvCacheType::F16 && !scratch.perQueryOnly) {
        if (a.n * group >= kMinTiledQueries) {
            attentionTiled(pool, a, scratch);
            return;
        }
        const int keys = a.window > 0 ? std::min(a.window, a.pos0 + 1) : a.pos0 + 1;
        if (group > 1 && keys >= kMinSplitKeys) {
            attentionSplit(pool, a, scratch);
            return;
        }
    }
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
        scaleScores(a, s, count);
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
