#version 450
// y[r][i] = x[r][i] / sqrt(mean(x[r]^2) + eps) * w[i]; one workgroup per row.

layout(constant_id = 0) const uint WG_SIZE = 64;
layout(local_size_x_id = 0) in;

layout(binding = 0, std430) readonly buffer X { float data_x[]; };
layout(binding = 1, std430) readonly buffer W { float data_w[]; };
layout(binding = 2, std430) buffer Y { float data_y[]; };

// Mirrored by gpu::RmsNormPush.
layout(push_constant) uniform Push {
    uint n;
    float eps;
} p;

#include "rows.glsl"

void main()
{
    const uint base = gl_WorkGroupID.x * p.n;
    const uint tid = gl_LocalInvocationID.x;
    float sum = 0.0;
    for (uint i = tid; i < p.n; i += WG_SIZE)
        sum += data_x[base + i] * data_x[base + i];
    const float scale = inversesqrt(workgroupSum(sum) / float(p.n) + p.eps);
    for (uint i = tid; i < p.n; i += WG_SIZE)
        data_y[base + i] = data_x[base + i] * scale * data_w[i];
}
