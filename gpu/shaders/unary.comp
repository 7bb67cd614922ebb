#version 450
// y = f(x) elementwise; f from OP_SILU or OP_GELU (the tanh approximation ggml uses).

layout(constant_id = 0) const uint WG_SIZE = 256;
layout(local_size_x_id = 0) in;

layout(binding = 0, std430) readonly buffer X { float data_x[]; };
layout(binding = 1, std430) buffer Y { float data_y[]; };

// Mirrored by gpu::ElementwisePush.
layout(push_constant) uniform Push {
    uint n;
    uint nb; // unused here
    uint groupsX;
} p;

void main()
{
    const uint i = (gl_WorkGroupID.y * p.groupsX + gl_WorkGroupID.x) * WG_SIZE + gl_LocalInvocationID.x;
    if (i >= p.n)
        return;
    const float x = data_x[i];
#if defined(OP_SILU)
    data_y[i] = x / (1.0 + exp(-x));
#elif defined(OP_GELU)
    const float kSqrt2OverPi = 0.79788456080286535588;
    // tanh(u) = 1 - 2 / (exp(2u) + 1): stays finite for large |u| where tanh() may return NaN.
    const float u = kSqrt2OverPi * x * (1.0 + 0.044715 * x * x);
    data_y[i] = 0.5 * x * (2.0 - 2.0 / (exp(2.0 * u) + 1.0));
#else
#error "define OP_SILU or OP_GELU"
#endif
}
