#pragma once
// Shared pieces of the reference quantizers: ggml's rounding and its scale searches
// (make_qx_quants, make_q3_quants, make_qkx2_quants). They are reproduced operation for
// operation, because llama-quantize's output is only matched bit for bit that way.

#include <cstdint>
#include <cstring>

namespace engine::quant::detail {

constexpr float kGroupMaxEps = 1e-15f;

// Round to nearest (ties to even) through the float adder, as ggml's nearest_int does;
// valid for |v| <= 4194303.
inline int nearestInt(float v)
{
    const float shifted = v + 12582912.f;
    int32_t i;
    std::memcpy(&i, &shifted, sizeof i);
    return (i & 0x007FFFFF) - 0x00400000;
}

// Symmetric quants in [-nmax, nmax-1] (stored + nmax), with an optional weighted search of the
// scale. rmseType 1 weights by x^2; qw overrides the weights when not null.
float makeQxQuants(int n, int nmax, const float* x, int8_t* L, int rmseType, const float* qw);
// The 3-bit variant of Q3_K (quants in [-nmax, nmax-1], stored + nmax).
float makeQ3Quants(int n, int nmax, const float* x, int8_t* L, bool doRmse);
// Asymmetric quants in [0, nmax] with a min; returns the scale, *theMin = -min.
float makeQkx2Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* theMin,
                     uint8_t* Laux, float rmin, float rdelta, int nstep, bool useMad);

// make_qkx3_quants: as makeQkx2Quants with a wider scale search; weights null means x^2.
float makeQkx3Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* theMin,
                     uint8_t* Laux, float rmin, float rdelta, int nstep, bool useMad);
// make_qp_quants: non-negative values (scales or mins) to [0, nmax] with weights.
float makeQpQuants(int n, int nmax, const float* x, uint8_t* L, const float* weights);

} // namespace engine::quant::detail
