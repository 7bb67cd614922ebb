#version 450
// y[v][r] = dot(A[r], x[v]) for one row part of a weight matrix kept in its storage type; the
// type comes from a DATA_A_<TYPE> define (dequant.glsl). One workgroup per row; each thread
// takes 4 consecutive elements at a time and the workgroup reduces in shared memory.

#include "dequant.glsl"

#if defined(USE_SUBGROUP)
// Reduction by subgroupAdd and one barrier, instead of log2(WG_SIZE) barriers.
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

layout(constant_id = 0) const uint WG_SIZE = 64; // a power of two
layout(local_size_x_id = 0) in;

layout(binding = 1, std430) readonly buffer X { float data_x[]; };
layout(binding = 2, std430) buffer Y { float data_y[]; };

// Mirrored by gpu::MatVecPush (PushConstants.h).
layout(push_constant) uniform Push {
    uint rows;      // rows of this part
    uint cols;
    uint rowOffset; // first row of this part in the whole matrix
    uint totalRows; // rows of the whole matrix: the stride of y between vectors
    uint groupsX;   // workgroups along x; rows beyond it continue in y (65535 limit)
} p;

shared float partial[WG_SIZE];

void main()
{
    const uint row = gl_WorkGroupID.y * p.groupsX + gl_WorkGroupID.x;
    if (row >= p.rows)
        return; // the whole workgroup leaves together, before any barrier
    const uint tid = gl_LocalInvocationID.x;
    const uint xBase = gl_WorkGroupID.z * p.cols;

    float sum = 0.0;
#if QUANT_K == 1
    const uint aBase = row * p.cols;
    const uint cols4 = p.cols & ~3u;
    for (uint e = tid * 4u; e < cols4; e += WG_SIZE * 4u) {
        const vec4 x = vec4(data_x[xBase + e], data_x[xBase + e + 1], data_x[xBase + e + 2], data_x[xBase + e + 3]);
        sum += dot(dequant4(aBase, e), x);
    }
    for (uint e = cols4 + tid; e < p.cols; e += WG_SIZE)
        sum += dequant1(aBase + e) * data_x[xBase + e];
#else
    const uint aBase = row * (p.cols / QUANT_K);
    for (uint e = tid * 4u; e < p.cols; e += WG_SIZE * 4u) {
        const vec4 x = vec4(data_x[xBase + e], data_x[xBase + e + 1], data_x[xBase + e + 2], data_x[xBase + e + 3]);
        sum += dot(dequant4(aBase + e / QUANT_K, e % QUANT_K), x);
    }
#endif

#if defined(USE_SUBGROUP)
    sum = subgroupAdd(sum);
    if (subgroupElect())
        partial[gl_SubgroupID] = sum;
    barrier();
    if (tid == 0u) {
        float total = 0.0;
        for (uint i = 0u; i < gl_NumSubgroups; ++i)
            total += partial[i];
        data_y[gl_WorkGroupID.z * p.totalRows + p.rowOffset + row] = total;
    }
#else
    partial[tid] = sum;
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
        if (tid < s)
            partial[tid] += partial[tid + s];
        barrier();
    }
    if (tid == 0u)
        data_y[gl_WorkGroupID.z * p.totalRows + p.rowOffset + row] = partial[0];
#endif
}
