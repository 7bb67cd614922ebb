#version 450
// Tiled (flash-attention style) causal attention for prefill: the same result as attention.comp
// without its scratch row of scores, and with each key and value read once per query tile
// instead of once per (query, head).
//
// One workgroup per (tile of BQ query rows, KV head). A row is a (query t, head h) pair of the
// KV head's group (grouped-query attention: the nHead / nHeadKv query heads that share a KV
// head share its key and value tiles too), row = t·G + (h mod G). Keys and values stream
// through shared memory BK at a time; each row keeps a running score maximum m, a running sum
// l of e^(s − m) and its unnormalised output o, rescaled by e^(m_old − m_new) whenever the
// maximum grows (online softmax), so out = o / l at the end.
//
// Scores, soft-cap (softcap > 0: softcap·tanh(s/softcap)), causal mask and sliding window
// (window > 0: keys j with pos − window < j ≤ pos) are attention.comp's. KV cache f32, or f16
// with KV_F16.
//
// 128 threads: BQ = 16 rows × 8 lanes. A lane holds BK/8 scores of its row and the output
// dimensions 4·lane .. 4·lane + 3, 4·(lane + 8) .. of it (at most 256 / 8 = 32).

#extension GL_EXT_shader_16bit_storage : require
// The two innermost loops are not unrolled: fully unrolled at every head size they made
// lavapipe's LLVM take seconds per pipeline (a cold CI run compiles several) for no speed.
#extension GL_EXT_control_flow_attributes : require

layout(constant_id = 0) const uint WG_SIZE = 128; // must be 128 (BQ x LANES)
layout(constant_id = 1) const uint DK = 64;       // headDim (<= DMAX)
layout(constant_id = 2) const uint DV = 64;       // headDimV (<= DMAX)
layout(constant_id = 3) const uint KVW = 64;      // max(DK, DV): one shared tile holds K, then V
layout(constant_id = 4) const uint BK = 32;       // keys per tile: 8, 16 or 32 (shared memory)
layout(local_size_x_id = 0) in;

#define BQ 16u
#define LANES 8u
#define DMAX 256u
#define BK_MAX 32u
#define FLT_LOWEST -3.402823466e38

#if defined(KV_F16)
#define KV_TYPE float16_t
#else
#define KV_TYPE float
#endif

layout(binding = 0, std430) readonly buffer Q { float data_q[]; };
layout(binding = 1, std430) readonly buffer K { KV_TYPE data_k[]; };
layout(binding = 2, std430) readonly buffer V { KV_TYPE data_v[]; };
layout(binding = 3, std430) writeonly buffer O { float data_o[]; };

// Mirrored by gpu::AttentionTiledPush; the fields mean what they mean in attention.comp.
layout(push_constant) uniform Push {
    uint n;
    uint pos0;
    uint nHead;
    uint nHeadKv;
    uint headDim;  // == DK
    uint headDimV; // == DV
    float scale;
    float softcap;
    uint window;
} p;

#include "math.glsl"

// Queries, keys and values sit in shared memory as vec4 (head sizes rounded up to a multiple of
// 4, zero-padded): a dot product or a value row is read 16 bytes at a time. Rows are padded by
// one vec4: the 8 lanes of a row read 8 different keys at the same dimension, and unpadded
// power-of-two strides would put them all in one bank.
const uint DK4 = (DK + 3u) / 4u;
const uint DV4 = (DV + 3u) / 4u;
const uint QS = DK4 + 1u;
const uint KVS = (KVW + 3u) / 4u + 1u;

shared vec4 sQ[BQ * QS];
shared vec4 sKV[BK * KVS];
shared vec4 sP[BQ * BK / 4u];       // this tile's e^(s − m_new), 0 where masked; read 4 keys at a time
shared float sMax[BQ * LANES];      // per-lane partial maxima of a row
shared float sSum[BQ * LANES];      // per-lane partial sums of a row

void main()
{
    const uint tid = gl_LocalInvocationID.x;
    const uint r = tid / LANES;
    const uint lane = tid % LANES;
    const uint kvh = gl_WorkGroupID.y;
    const uint G = p.nHead / p.nHeadKv;
    const uint rows = p.n * G;
    const uint row0 = gl_WorkGroupID.x * BQ;

    const uint row = row0 + r;
    const bool valid = row < rows;
    const uint t = row / G;
    const uint h = kvh * G + row % G;
    // This row's visible keys [myLo, myHi).
    const uint myHi = p.pos0 + t + 1u;
    const uint myLo = p.window > 0u && myHi > p.window ? myHi - p.window : 0u;
    // The tile's: from the first row's lowest key to the last row's own position.
    const uint tFirst = row0 / G;
    const uint tLast = (min(row0 + BQ, rows) - 1u) / G;
    const uint kHi = p.pos0 + tLast + 1u;
    const uint firstHi = p.pos0 + tFirst + 1u;
    const uint kLo = p.window > 0u && firstHi > p.window ? firstHi - p.window : 0u;

    for (uint i = tid; i < BQ * DK4; i += WG_SIZE) {
        const uint rr = i / DK4, d = (i % DK4) * 4u;
        const uint qRow = row0 + rr;
        vec4 v = vec4(0.0);
        if (qRow < rows) {
            const uint base = ((qRow / G) * p.nHead + kvh * G + qRow % G) * DK;
            for (uint e = 0u; e < 4u; ++e)
                if (d + e < DK)
                    v[e] = data_q[base + d + e];
        }
        sQ[rr * QS + i % DK4] = v;
    }

    const uint kStride = p.nHeadKv * DK;
    const uint vStride = p.nHeadKv * DV;
    const uint nOut = (DV4 + LANES - 1u) / LANES;
    const uint nCols = BK / LANES;

    float m = FLT_LOWEST; // FLT_LOWEST, not −inf: e^(m_old − m_new) stays 1 while nothing is visible
    float l = 0.0;
    vec4 o[DMAX / 4u / LANES];
    for (uint i = 0u; i < DMAX / 4u / LANES; ++i)
        o[i] = vec4(0.0);

    for (uint k0 = kLo; k0 < kHi; k0 += BK) {
        barrier(); // the previous tile's values and weights have been read (and sQ is written)
        for (uint i = tid; i < BK * DK4; i += WG_SIZE) {
            const uint c = i / DK4, d = (i % DK4) * 4u;
            const uint j = k0 + c;
            vec4 v = vec4(0.0);
            if (j < kHi)
                for (uint e = 0u; e < 4u; ++e)
                    if (d + e < DK)
                        v[e] = float(data_k[j * kStride + kvh * DK + d + e]);
            sKV[c * KVS + i % DK4] = v;
        }
        barrier();

        float s[BK_MAX / LANES];
        float tileMax = FLT_LOWEST;
        for (uint i = 0u; i < nCols; ++i) {
            const uint j = k0 + lane + i * LANES;
            s[i] = FLT_LOWEST;
            if (valid && j >= myLo && j < myHi) {
                const uint kb = (lane + i * LANES) * KVS;
                float x = 0.0;
                [[dont_unroll]] for (uint d = 0u; d < DK4; ++d)
                    x += dot(sQ[r * QS + d], sKV[kb + d]);
                x *= p.scale;
                if (p.softcap > 0.0)
                    x = p.softcap * safeTanh(x / p.softcap);
                s[i] = x;
                tileMax = max(tileMax, x);
            }
        }
        sMax[r * LANES + lane] = tileMax;
        barrier();
        float mNew = m;
        for (uint i = 0u; i < LANES; ++i)
            mNew = max(mNew, sMax[r * LANES + i]);
        const float alpha = exp(m - mNew);
        float partial = 0.0;
        for (uint i = 0u; i < nCols; ++i) {
            const uint j = k0 + lane + i * LANES;
            const float e = valid && j >= myLo && j < myHi ? exp(s[i] - mNew) : 0.0;
            const uint col = lane + i * LANES;
            sP[(r * BK + col) / 4u][col % 4u] = e;
            partial += e;
        }
        sSum[r * LANES + lane] = partial;
        barrier(); // every score is computed (sKV may take the values) and sP, sSum are complete
        float rowSum = 0.0;
        for (uint i = 0u; i < LANES; ++i)
            rowSum += sSum[r * LANES + i];
        l = l * alpha + rowSum;
        m = mNew;

        for (uint i = tid; i < BK * DV4; i += WG_SIZE) {
            const uint c = i / DV4, d = (i % DV4) * 4u;
            const uint j = k0 + c;
            vec4 v = vec4(0.0);
            if (j < kHi)
                for (uint e = 0u; e < 4u; ++e)
                    if (d + e < DV)
                        v[e] = float(data_v[j * vStride + kvh * DV + d + e]);
            sKV[c * KVS + i % DV4] = v;
        }
        barrier();
        for (uint i = 0u; i < nOut; ++i) {
            const uint d4 = lane + i * LANES;
            if (d4 < DV4) {
                vec4 acc = vec4(0.0);
                [[dont_unroll]] for (uint c = 0u; c < BK; c += 4u) {
                    const vec4 w = sP[(r * BK + c) / 4u];
                    acc += w.x * sKV[c * KVS + d4] + w.y * sKV[(c + 1u) * KVS + d4] + w.z * sKV[(c + 2u) * KVS + d4]
                        + w.w * sKV[(c + 3u) * KVS + d4];
                }
                o[i] = o[i] * alpha + acc;
            }
        }
    }

    if (valid) {
        const float inv = 1.0 / l;
        const uint base = (t * p.nHead + h) * DV;
        for (uint i = 0u; i < nOut; ++i) {
            const uint d = (lane + i * LANES) * 4u;
            for (uint e = 0u; e < 4u; ++e)
                if (d + e < DV)
                    data_o[base + d + e] = o[i][e] * inv;
        }
    }
}
