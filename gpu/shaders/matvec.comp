#version 450
// y[v][r] = dot(A[r], x[v]) for one row part of a weight matrix kept in its storage type; the
// type comes from a DATA_A_<TYPE> define (dequant.glsl). One workgroup per row and per NUM_VEC
// vectors: each thread dequantizes 4 consecutive weights once and multiplies them with every
// vector of its group (prefill reads the weights once per NUM_VEC tokens, not once per token),
// then the workgroup reduces, with subgroupAdd under USE_SUBGROUP, else in shared memory.

#include "dequant.glsl"

#if defined(USE_SUBGROUP)
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

layout(constant_id = 0) const uint WG_SIZE = 64; // a power of two
layout(constant_id = 1) const uint NUM_VEC = 1;  // vectors per workgroup
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
    uint vectors;   // vectors in x (and y)
} p;

shared float partial[WG_SIZE * NUM_VEC];

vec4 x4(uint v, uint e)
{
    const uint i = v * p.cols + e;
    return vec4(data_x[i], data_x[i + 1], data_x[i + 2], data_x[i + 3]);
}

void main()
{
    const uint row = gl_WorkGroupID.y * p.groupsX + gl_WorkGroupID.x;
    if (row >= p.rows)
        return; // the whole workgroup leaves together, before any barrier
    const uint tid = gl_LocalInvocationID.x;
    const uint v0 = gl_WorkGroupID.z * NUM_VEC;
    const uint nv = min(NUM_VEC, p.vectors - v0);

    float sums[NUM_VEC];
    for (uint k = 0u; k < NUM_VEC; ++k)
        sums[k] = 0.0;
#if QUANT_K == 1
    const uint aBase = row * p.cols;
    const uint cols4 = p.cols & ~3u;
    for (uint e = tid * 4u; e < cols4; e += WG_SIZE * 4u) {
        const vec4 w = dequant4(aBase, e);
        for (uint k = 0u; k < nv; ++k)
            sums[k] += dot(w, x4(v0 + k, e));
    }
    for (uint e = cols4 + tid; e < p.cols; e += WG_SIZE) {
        const float w = dequant1(aBase + e);
        for (uint k = 0u; k < nv; ++k)
            sums[k] += w * data_x[(v0 + k) * p.cols + e];
    }
#else
    const uint aBase = row * (p.cols / QUANT_K);
    for (uint e = tid * 4u; e < p.cols; e += WG_SIZE * 4u) {
        const vec4 w = dequant4(aBase + e / QUANT_K, e % QUANT_K);
        for (uint k = 0u; k < nv; ++k)
            sums[k] += dot(w, x4(v0 + k, e));
    }
#endif

#if defined(USE_SUBGROUP)
    // One barrier in all: subgroup sums to shared memory, then thread k adds up vector k's.
    for (uint k = 0u; k < nv; ++k) {
        const float s = subgroupAdd(sums[k]);
        if (subgroupElect())
            partial[k * WG_SIZE + gl_SubgroupID] = s;
    }
    barrier();
    if (tid < nv) {
        float total = 0.0;
        for (uint i = 0u; i < gl_NumSubgroups; ++i)
            total += partial[tid * WG_SIZE + i];
        data_y[(v0 + tid) * p.totalRows + p.rowOffset + row] = total;
    }
#else
    for (uint k = 0u; k < nv; ++k)
        partial[k * WG_SIZE + tid] = sums[k];
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
        if (tid < s) {
            for (uint k = 0u; k < nv; ++k)
                partial[k * WG_SIZE + tid] += partial[k * WG_SIZE + tid + s];
        }
        barrier();
    }
    if (tid < nv)
        data_y[(v0 + tid) * p.totalRows + p.rowOffset + row] = partial[tid * WG_SIZE];
#endif
}
