#version 450
// Rotary position embedding over x[token][head][headDim] with a cos/sin table computed on the
// host (table[token][2i] = cos, [2i + 1] = sin of pair i's angle), exactly as the CPU backend
// computes it: the angles then match the CPU bit for bit (ggml advances theta by repeated
// multiplication, which pow() does not reproduce at long positions), any scaling (linear, llama3,
// per-frequency factors) is the host's business, and the shader never calls sin/cos, whose
// precision Vulkan bounds only loosely.
// The pair is (2i, 2i + 1) normally and (i, i + nRot / 2) with ROPE_NEOX. Dimensions past nRot
// pass through. One thread per pair; may run in place.

layout(constant_id = 0) const uint WG_SIZE = 64;
layout(local_size_x_id = 0) in;

layout(binding = 0, std430) readonly buffer X { float data_x[]; };
layout(binding = 1, std430) readonly buffer CosSin { float data_cs[]; };
layout(binding = 2, std430) buffer Y { float data_y[]; };

// Mirrored by gpu::RopePush.
layout(push_constant) uniform Push {
    uint headDim;
    uint nHeads;
    uint nRot;
    uint rows;    // tokens * nHeads
    uint groupsX;
} p;

void main()
{
    const uint id = (gl_WorkGroupID.y * p.groupsX + gl_WorkGroupID.x) * WG_SIZE + gl_LocalInvocationID.x;
    const uint pairs = p.headDim / 2u;
    if (id >= p.rows * pairs)
        return;
    const uint row = id / pairs;
    const uint i = id % pairs;
    const uint base = row * p.headDim;

    if (i >= p.nRot / 2u) {
        data_y[base + 2u * i] = data_x[base + 2u * i];
        data_y[base + 2u * i + 1u] = data_x[base + 2u * i + 1u];
        return;
    }
#if defined(ROPE_NEOX)
    const uint i0 = i, i1 = i + p.nRot / 2u;
#else
    const uint i0 = 2u * i, i1 = 2u * i + 1u;
#endif
    const uint cs = (row / p.nHeads) * p.nRot + 2u * i;
    const float c = data_cs[cs], s = data_cs[cs + 1u];
    const float x0 = data_x[base + i0], x1 = data_x[base + i1];
    data_y[base + i0] = x0 * c - x1 * s;
    data_y[base + i1] = x0 * s + x1 * c;
}
