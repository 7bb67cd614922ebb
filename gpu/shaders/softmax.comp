#version 450
// y[r] = softmax(scale * x[r]); one workgroup per row, max-subtracted for range safety.

layout(constant_id = 0) const uint WG_SIZE = 64;
layout(local_size_x_id = 0) in;

layout(binding = 0, std430) readonly buffer X { float data_x[]; };
layout(binding = 1, std430) buffer Y { float data_y[]; };

// Mirrored by gpu::SoftmaxPush.
layout(push_constant) uniform Push {
    uint n;
    float scale;
} p;

#include "rows.glsl"

void main()
{
    const uint base = gl_WorkGroupID.x * p.n;
    const uint tid = gl_LocalInvocationID.x;
    float m = -3.402823466e38;
    for (uint i = tid; i < p.n; i += WG_SIZE)
        m = max(m, p.scale * data_x[base + i]);
    m = workgroupMax(m);
    float sum = 0.0;
    for (uint i = tid; i < p.n; i += WG_SIZE) {
        const float e = exp(p.scale * data_x[base + i] - m);
        data_y[base + i] = e;
        sum += e;
    }
    // Each thread rescales only the elements it wrote itself, so no barrier is needed between.
    const float inv = 1.0 / workgroupSum(sum);
    for (uint i = tid; i < p.n; i += WG_SIZE)
        data_y[base + i] *= inv;
}
