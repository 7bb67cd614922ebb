#version 450
// Causal multi-head attention of n query tokens at positions pos0 .. pos0 + n - 1 over a KV
// cache in device memory (f32, or f16 with KV_F16), with grouped-query heads. One workgroup per
// (token, head): scores into a scratch row, softmax, then the weighted sum of values.
// softcap > 0 caps the scaled scores at softcap·tanh(s/softcap) (gemma2); window > 0 limits
// query i to keys j with i − window < j ≤ i (sliding-window layers).
//
// SPLIT (split-K, for decoding over long contexts, where tokens × heads workgroups would leave
// most of a GPU idle): one workgroup per (key split, token·head) over keys
// [split·splitKeys, (split + 1)·splitKeys); it writes the split's score maximum m, its sum of
// e^(s − m) and its unnormalised weighted sum of values to a partial record in the scratch
// buffer (from partialOffset), which attention_combine.comp merges. Prefill chunks of 16
// queries or more take attention_tiled.comp instead (Ops.cpp picks).

#extension GL_EXT_shader_16bit_storage : require

layout(constant_id = 0) const uint WG_SIZE = 64;
layout(local_size_x_id = 0) in;

#if defined(KV_F16)
#define KV_TYPE float16_t
#else
#define KV_TYPE float
#endif

layout(binding = 0, std430) readonly buffer Q { float data_q[]; };
layout(binding = 1, std430) readonly buffer K { KV_TYPE data_k[]; };
layout(binding = 2, std430) readonly buffer V { KV_TYPE data_v[]; };
layout(binding = 3, std430) coherent buffer S { float data_s[]; };
layout(binding = 4, std430) buffer O { float data_o[]; };

// Mirrored by gpu::AttentionPush.
layout(push_constant) uniform Push {
    uint n;
    uint pos0;
    uint nHead;
    uint nHeadKv;
    uint headDim;
    uint headDimV;
    uint scoreStride; // floats per scratch row (>= pos0 + n)
    float scale;
    float softcap; // 0: none
    uint window;   // 0: full causal
    uint splitKeys;     // SPLIT: keys per split
    uint nSplit;        // SPLIT: splits per (token, head)
    uint partialOffset; // SPLIT: where the partial records start in the scratch buffer
} p;

#include "math.glsl"
#include "rows.glsl"

void main()
{
#if defined(SPLIT)
    const uint split = gl_WorkGroupID.x;
    const uint th = gl_WorkGroupID.y;
#else
    const uint th = gl_WorkGroupID.x;
#endif
    const uint t = th / p.nHead;
    const uint h = th % p.nHead;
    const uint kvh = h / (p.nHead / p.nHeadKv);
    const uint tid = gl_LocalInvocationID.x;
    const uint nKeys = p.pos0 + t + 1u;
    uint lo = p.window > 0u && nKeys > p.window ? nKeys - p.window : 0u;
    uint hi = nKeys;
#if defined(SPLIT)
    lo = max(lo, split * p.splitKeys);
    hi = min(hi, (split + 1u) * p.splitKeys);
    const uint pBase = p.partialOffset + (th * p.nSplit + split) * (2u + p.headDimV);
    if (lo >= hi) { // no visible key here (the same for the whole workgroup): contributes nothing
        if (tid == 0u) {
            data_s[pBase] = -3.402823466e38;
            data_s[pBase + 1u] = 0.0;
        }
        for (uint d = tid; d < p.headDimV; d += WG_SIZE)
            data_s[pBase + 2u + d] = 0.0;
        return;
    }
#endif
    const uint qBase = (t * p.nHead + h) * p.headDim;
    const uint kStride = p.nHeadKv * p.headDim;
    const uint vStride = p.nHeadKv * p.headDimV;
    const uint sBase = th * p.scoreStride;

    float m = -3.402823466e38;
    for (uint j = lo + tid; j < hi; j += WG_SIZE) {
        const uint kBase = j * kStride + kvh * p.headDim;
        float s = 0.0;
        for (uint d = 0u; d < p.headDim; ++d)
            s += data_q[qBase + d] * float(data_k[kBase + d]);
        s *= p.scale;
        if (p.softcap > 0.0)
            s = p.softcap * safeTanh(s / p.softcap);
        data_s[sBase + j] = s;
        m = max(m, s);
    }
    m = workgroupMax(m);
    float sum = 0.0;
    for (uint j = lo + tid; j < hi; j += WG_SIZE) {
        const float e = exp(data_s[sBase + j] - m);
        data_s[sBase + j] = e;
        sum += e;
    }
    // The weighted sum below reads scores other threads wrote.
    memoryBarrierBuffer();
    sum = workgroupSum(sum);
#if defined(SPLIT)
    for (uint d = tid; d < p.headDimV; d += WG_SIZE) {
        float acc = 0.0;
        for (uint j = lo; j < hi; ++j)
            acc += data_s[sBase + j] * float(data_v[j * vStride + kvh * p.headDimV + d]);
        data_s[pBase + 2u + d] = acc;
    }
    if (tid == 0u) {
        data_s[pBase] = m;
        data_s[pBase + 1u] = sum;
    }
#else
    const float inv = 1.0 / sum;
    for (uint d = tid; d < p.headDimV; d += WG_SIZE) {
        float acc = 0.0;
        for (uint j = lo; j < hi; ++j)
            acc += data_s[sBase + j] * float(data_v[j * vStride + kvh * p.headDimV + d]);
        data_o[(t * p.nHead + h) * p.headDimV + d] = acc * inv;
    }
#endif
}
