#version 450
// y = f(x) elementwise, f from the define:
//   OP_SILU     x / (1 + e^-x)
//   OP_GELU     tanh-approximation GELU as ggml's CPU computes it: x rounded to f16, GELU of that,
//               result rounded to f16 (its 65536-entry f16 table); 0 below -10, x above 10
//   OP_SCALE    x * param (gemma's embedding scale)
//   OP_SOFTCAP  param * tanh(x / param) (gemma2's final logit soft-cap)

layout(constant_id = 0) const uint WG_SIZE = 256;
layout(local_size_x_id = 0) in;

layout(binding = 0, std430) readonly buffer X { float data_x[]; };
layout(binding = 1, std430) buffer Y { float data_y[]; };

// Mirrored by gpu::ElementwisePush.
layout(push_constant) uniform Push {
    uint n;
    uint nb; // unused here
    uint groupsX;
    float param;
} p;

#include "math.glsl"

void main()
{
    const uint i = (gl_WorkGroupID.y * p.groupsX + gl_WorkGroupID.x) * WG_SIZE + gl_LocalInvocationID.x;
    if (i >= p.n)
        return;
    const float x = data_x[i];
#if defined(OP_SILU)
    data_y[i] = x / (1.0 + exp(-x));
#elif defined(OP_GELU)
    if (x <= -10.0) {
        data_y[i] = 0.0;
    } else if (x >= 10.0) {
        data_y[i] = x;
    } else {
        // 0.5·h·(1 + tanh(u)) = h / (1 + e^(-2u)): no cancellation where tanh(u) is near -1
        // (ggml's f32 tanhf loses up to two f16 steps of the table there, at |GELU| < 1e-4).
        const float h = roundToF16(x);
        const float kSqrt2OverPi = 0.79788456080286535588;
        data_y[i] = roundToF16(h / (1.0 + exp(-2.0 * kSqrt2OverPi * h * (1.0 + 0.044715 * h * h))));
    }
#elif defined(OP_SCALE)
    data_y[i] = x * p.param;
#elif defined(OP_SOFTCAP)
    data_y[i] = p.param * safeTanh(x / p.param);
#else
#error "define OP_SILU, OP_GELU, OP_SCALE or OP_SOFTCAP"
#endif
}
