#version 450
// Second pass of split-K attention (attention.comp with SPLIT): one workgroup per (token, head)
// merges its nSplit partial records (m, l, o[headDimV]) into
//   out = Σ o_s·e^(m_s − M) / Σ l_s·e^(m_s − M),  M = max m_s,
// the softmax-weighted sum over all keys. Empty splits have m = −FLT_MAX, l = 0, o = 0.

layout(constant_id = 0) const uint WG_SIZE = 64;
layout(local_size_x_id = 0) in;

layout(binding = 0, std430) readonly buffer S { float data_s[]; };
layout(binding = 1, std430) writeonly buffer O { float data_o[]; };

// Mirrored by gpu::AttentionCombinePush.
layout(push_constant) uniform Push {
    uint nSplit;
    uint headDimV;
    uint partialOffset;
} p;

#include "rows.glsl"

void main()
{
    const uint th = gl_WorkGroupID.x;
    const uint tid = gl_LocalInvocationID.x;
    const uint stride = 2u + p.headDimV;
    const uint base = p.partialOffset + th * p.nSplit * stride;

    float mMax = -3.402823466e38;
    for (uint s = tid; s < p.nSplit; s += WG_SIZE)
        mMax = max(mMax, data_s[base + s * stride]);
    mMax = workgroupMax(mMax);
    float l = 0.0;
    for (uint s = tid; s < p.nSplit; s += WG_SIZE)
        l += data_s[base + s * stride + 1u] * exp(data_s[base + s * stride] - mMax);
    l = workgroupSum(l);
    const float inv = 1.0 / l;
    for (uint d = tid; d < p.headDimV; d += WG_SIZE) {
        float acc = 0.0;
        for (uint s = 0u; s < p.nSplit; ++s)
            acc += data_s[base + s * stride + 2u + d] * exp(data_s[base + s * stride] - mMax);
        data_o[th * p.headDimV + d] = acc * inv;
    }
}
