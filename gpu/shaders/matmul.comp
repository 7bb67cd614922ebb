#version 450
// Y[v][r] = dot(A[r], X[v]) for many vectors at once (prefill), tiled: each workgroup computes a
// TM x TN tile (TM rows of one row part of A, TN vectors) and walks the shared dimension in
// steps of BK through shared memory, so each dequantized weight is read by TN vectors and each
// activation by TM rows. 256 threads as 16 x 16, each accumulating RM rows x RN vectors.
// Weights stay in their GGUF type (DATA_A_<TYPE>, dequant.glsl); bindings and push constants
// are matvec.comp's.

#include "dequant.glsl"

layout(constant_id = 0) const uint WG_SIZE = 256; // must be 256 (16 x 16 threads)
layout(local_size_x_id = 0) in;

#define TM 64
#define TN 32
#define BK 32
#define RM (TM / 16)
#define RN (TN / 16)
#define STRIDE (BK + 1) // shared rows padded by one float against bank conflicts

layout(binding = 1, std430) readonly buffer X { float data_x[]; };
layout(binding = 2, std430) buffer Y { float data_y[]; };

// Mirrored by gpu::MatVecPush (PushConstants.h).
layout(push_constant) uniform Push {
    uint rows;      // rows of this part
    uint cols;
    uint rowOffset; // first row of this part in the whole matrix
    uint totalRows; // rows of the whole matrix: the stride of y between vectors
    uint groupsX;   // unused: row tiles are gl_WorkGroupID.x
    uint vectors;   // vectors in x (and y)
} p;

shared float tileA[TM * STRIDE];
shared float tileX[TN * STRIDE];

// Four weights of row `row` starting at column `col` (zero beyond the row).
vec4 weights4(uint row, uint col)
{
#if QUANT_K == 1
    const uint base = row * p.cols;
    if (col + 3u < p.cols)
        return dequant4(base, col);
    vec4 w = vec4(0.0);
    for (uint k = 0u; k < 4u; ++k)
        if (col + k < p.cols)
            w[k] = dequant1(base + col + k);
    return w;
#else
    // cols is a multiple of QUANT_K (>= 32 = BK): a column step never leaves the row.
    return dequant4(row * (p.cols / QUANT_K) + col / QUANT_K, col % QUANT_K);
#endif
}

void main()
{
    const uint row0 = gl_WorkGroupID.x * TM;
    const uint vec0 = gl_WorkGroupID.y * TN;
    const uint tid = gl_LocalInvocationID.x;
    const uint tr = tid % 16u; // this thread's rows: tr, tr + 16, ...
    const uint tv = tid / 16u; // its vectors: tv, tv + 16, ...

    float acc[RM][RN];
    for (uint i = 0u; i < RM; ++i)
        for (uint j = 0u; j < RN; ++j)
            acc[i][j] = 0.0;

    for (uint k0 = 0u; k0 < p.cols; k0 += BK) {
        for (uint q = tid; q < TM * BK / 4u; q += WG_SIZE) {
            const uint r = q / (BK / 4u);
            const uint e = (q % (BK / 4u)) * 4u;
            const vec4 w = row0 + r < p.rows ? weights4(row0 + r, k0 + e) : vec4(0.0);
            const uint s = r * STRIDE + e;
            tileA[s] = w.x;
            tileA[s + 1u] = w.y;
            tileA[s + 2u] = w.z;
            tileA[s + 3u] = w.w;
        }
        for (uint i = tid; i < TN * BK; i += WG_SIZE) {
            const uint v = i / BK;
            const uint e = i % BK;
            tileX[v * STRIDE + e] = vec0 + v < p.vectors && k0 + e < p.cols ? data_x[(vec0 + v) * p.cols + k0 + e] : 0.0;
        }
        barrier();
        // Each step's 32 products are summed apart, then added: a two-level sum, whose rounding
        // stays near the matvec's tree instead of growing with the row length.
        float part[RM][RN];
        for (uint i = 0u; i < RM; ++i)
            for (uint j = 0u; j < RN; ++j)
                part[i][j] = 0.0;
        for (uint e = 0u; e < BK; ++e) {
            float a[RM];
            for (uint i = 0u; i < RM; ++i)
                a[i] = tileA[(tr + 16u * i) * STRIDE + e];
            for (uint j = 0u; j < RN; ++j) {
                const float x = tileX[(tv + 16u * j) * STRIDE + e];
                for (uint i = 0u; i < RM; ++i)
                    part[i][j] += a[i] * x;
            }
        }
        for (uint i = 0u; i < RM; ++i)
            for (uint j = 0u; j < RN; ++j)
                acc[i][j] += part[i][j];
        barrier();
    }

    for (uint j = 0u; j < RN; ++j) {
        const uint v = vec0 + tv + 16u * j;
        if (v >= p.vectors)
            continue;
        for (uint i = 0u; i < RM; ++i) {
            const uint r = row0 + tr + 16u * i;
            if (r < p.rows)
                data_y[v * p.totalRows + p.rowOffset + r] = acc[i][j];
        }
    }
}
