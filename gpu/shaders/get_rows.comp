#version 450
// Embedding lookup: y[t] = dequantized row ids[t] of A, for the ids that fall in this row part
// of A (a split matrix is looked up part by part). Weights stay in their GGUF type
// (DATA_A_<TYPE>, dequant.glsl). One thread per four elements.

#include "dequant.glsl"

layout(constant_id = 0) const uint WG_SIZE = 256;
layout(local_size_x_id = 0) in;

layout(binding = 1, std430) readonly buffer Ids { int data_ids[]; };
layout(binding = 2, std430) buffer Y { float data_y[]; };

// Mirrored by gpu::GetRowsPush.
layout(push_constant) uniform Push {
    uint cols;
    uint count;    // ids to look up
    uint firstRow; // of this part
    uint partRows;
    uint groupsX;
} p;

void main()
{
    const uint quads = (p.cols + 3u) / 4u;
    const uint id = (gl_WorkGroupID.y * p.groupsX + gl_WorkGroupID.x) * WG_SIZE + gl_LocalInvocationID.x;
    if (id >= p.count * quads)
        return;
    const uint t = id / quads;
    const uint e = (id % quads) * 4u;
    const int src = data_ids[t] - int(p.firstRow);
    if (src < 0 || uint(src) >= p.partRows)
        return; // another part holds this row
    const uint r = uint(src);
    const uint dst = t * p.cols + e;
#if QUANT_K == 1
    for (uint k = 0u; k < 4u && e + k < p.cols; ++k)
        data_y[dst + k] = dequant1(r * p.cols + e + k);
#else
    const vec4 v = dequant4(r * (p.cols / QUANT_K) + e / QUANT_K, e % QUANT_K);
    data_y[dst] = v.x;
    data_y[dst + 1u] = v.y;
    data_y[dst + 2u] = v.z;
    data_y[dst + 3u] = v.w;
#endif
}
