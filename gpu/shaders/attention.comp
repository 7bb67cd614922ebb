#version 450
// Causal multi-head attention of n query tokens at positions pos0 .. pos0 + n - 1 over a KV
// cache in device memory (f32, or f16 with KV_F16), with grouped-query heads. One workgroup per
// (token, head): scores into a scratch row, softmax, then the weighted sum of values.
// softcap > 0 caps the scaled scores at softcap·tanh(s/softcap) (gemma2); window > 0 limits
// query i to keys j with i − window < j ≤ i (sliding-window layers).
// A straightforward version for correctness; split-K decode and tiled prefill come later.

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
} p;

#include "math.glsl"
#include "rows.glsl"

void main()
{
    const uint t = gl_WorkGroupID.x / p.nHead;
    const uint h = gl_WorkGroupID.x % p.nHead;
    const uint kvh = h / (p.nHead / p.nHeadKv);
    const uint tid = gl_LocalInvocationID.x;
    const uint nKeys = p.pos0 + t + 1u;
    const uint first = p.window > 0u && nKeys > p.window ? nKeys - p.window : 0u;
    const uint qBase = (t * p.nHead + h) * p.headDim;
    const uint kStride = p.nHeadKv * p.headDim;
    const uint vStride = p.nHeadKv * p.headDimV;
    const uint sBase = gl_WorkGroupID.x * p.scoreStride;

    float m = -3.402823466e38;
    for (uint j = first + tid; j < nKeys; j += WG_SIZE) {
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
    for (uint j = first + tid; j < nKeys; j += WG_SIZE) {
        const float e = exp(data_s[sBase + j] - m);
        data_s[sBase + j] = e;
        sum += e;
    }
    // The weighted sum below reads scores other threads wrote.
    memoryBarrierBuffer();
    sum = workgroupSum(sum);
    const float inv = 1.0 / sum;
    for (uint d = tid; d < p.headDimV; d += WG_SIZE) {
        float acc = 0.0;
        for (uint j = first; j < nKeys; ++j)
            acc += data_s[sBase + j] * float(data_v[j * vStride + kvh * p.headDimV + d]);
        data_o[(t * p.nHead + h) * p.headDimV + d] = acc * inv;
    }
}
