#version 450
// y[i] = a[i] (op) b[i % nb]: b broadcasts over rows (a bias or a norm weight); op from OP_ADD or
// OP_MUL. May run in place (y = a).

layout(constant_id = 0) const uint WG_SIZE = 256;
layout(local_size_x_id = 0) in;

layout(binding = 0, std430) readonly buffer A { float data_a[]; };
layout(binding = 1, std430) readonly buffer B { float data_b[]; };
layout(binding = 2, std430) buffer Y { float data_y[]; };

// Mirrored by gpu::ElementwisePush.
layout(push_constant) uniform Push {
    uint n;
    uint nb;
    uint groupsX;
    float param; // unused here
} p;

void main()
{
    const uint i = (gl_WorkGroupID.y * p.groupsX + gl_WorkGroupID.x) * WG_SIZE + gl_LocalInvocationID.x;
    if (i >= p.n)
        return;
#if defined(OP_ADD)
    data_y[i] = data_a[i] + data_b[i % p.nb];
#elif defined(OP_MUL)
    data_y[i] = data_a[i] * data_b[i % p.nb];
#else
#error "define OP_ADD or OP_MUL"
#endif
}
