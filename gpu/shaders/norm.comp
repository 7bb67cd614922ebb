#version 450
// One workgroup per row of n:
//   RMSNorm (default):  y[r][i] = x[r][i] / sqrt(mean(x[r]^2) + eps) * w[i]
//   LAYER_NORM:         y[r][i] = (x[r][i] - mean(x[r])) / sqrt(var(x[r]) + eps) * w[i] + b[i]

layout(constant_id = 0) const uint WG_SIZE = 64;
layout(local_size_x_id = 0) in;

layout(binding = 0, std430) readonly buffer X { float data_x[]; };
layout(binding = 1, std430) readonly buffer W { float data_w[]; };
layout(binding = 2, std430) buffer Y { float data_y[]; };
#if defined(LAYER_NORM)
layout(binding = 3, std430) readonly buffer B { float data_b[]; };
#endif

// Mirrored by gpu::NormPush.
layout(push_constant) uniform Push {
    uint n;
    float eps;
} p;

#include "rows.glsl"

void main()
{
    const uint base = gl_WorkGroupID.x * p.n;
    const uint tid = gl_LocalInvocationID.x;
#if defined(LAYER_NORM)
    float sum = 0.0;
    for (uint i = tid; i < p.n; i += WG_SIZE)
        sum += data_x[base + i];
    const float mean = workgroupSum(sum) / float(p.n);
    float sum2 = 0.0;
    for (uint i = tid; i < p.n; i += WG_SIZE) {
        const float d = data_x[base + i] - mean;
        sum2 += d * d;
    }
    const float scale = inversesqrt(workgroupSum(sum2) / float(p.n) + p.eps);
    for (uint i = tid; i < p.n; i += WG_SIZE)
        data_y[base + i] = (data_x[base + i] - mean) * scale * data_w[i] + data_b[i];
#else
    float sum = 0.0;
    for (uint i = tid; i < p.n; i += WG_SIZE)
        sum += data_x[base + i] * data_x[base + i];
    const float scale = inversesqrt(workgroupSum(sum) / float(p.n) + p.eps);
    for (uint i = tid; i < p.n; i += WG_SIZE)
        data_y[base + i] = data_x[base + i] * scale * data_w[i];
#endif
}
