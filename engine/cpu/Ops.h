#pragma once
// The elementwise and row ops of the forward pass, computed the way ggml's CPU backend computes
// them (sums of squares in double, RoPE angles by repeated multiplication, GELU through an F16
// table), because llama.cpp's logits are our oracle. Scalar code; the few ops that sit on the
// attention hot path have AVX2 versions (VectorOps below).

#include "model/ModelConfig.h"

#include <cstdint>

namespace engine::cpu {

// y = x / sqrt(mean(x²) + eps) * w (w may be null). y may alias x.
void rmsNorm(const float* x, const float* w, float* y, int n, float eps);
// y = (x − mean) / sqrt(var + eps) * w + b (w, b may be null). y may alias x.
void layerNorm(const float* x, const float* w, const float* b, float* y, int n, float eps);

// cos/sin for one position: cosSin[2i] = cos θ_i, cosSin[2i+1] = sin θ_i, i < nRot/2, with
// θ_i = freqScale · pos · base^(−2i/nRot) / freqFactors[i] (freqFactors may be null).
void ropeAngles(int pos, int nRot, float base, float freqScale, const float* freqFactors, float* cosSin);
// Rotates the first nRot dims of each of nHeads heads (headDim apart) in place.
void applyRope(float* x, int nHeads, int headDim, int nRot, const float* cosSin, model::RopeKind kind);

// In-place softmax over n values; -inf entries become 0. Sums in double as ggml does.
void softmax(float* x, int n);
// x = cap · tanh(x / cap)
void softcap(float* x, int n, float cap);

// SiLU and ggml's GELU (tanh approximation looked up in an F16 table for |x| < 10).
float silu(float x);
float gelu(float x);
// gate[i] = act(gate[i]) * up[i] (up may be null: gate[i] = act(gate[i]))
void activate(float* gate, const float* up, int n, model::Activation act);

// Kernels on the attention path, selected at run time (AVX2/F16C when present).
struct VectorOps {
    float (*dotF32)(const float* a, const float* b, int n);
    float (*dotF16)(const uint16_t* a, const uint16_t* b, int n);
    void (*axpyF32)(float a, const float* x, float* y, int n);   // y += a·x
    void (*axpyF16)(float a, const uint16_t* x, float* y, int n);
    void (*toF16)(const float* x, uint16_t* y, int n);           // round to nearest even
    // Attention with an F16 cache: scores[j] = dot(q, k + j·kStride) for j < count, and
    // out = Σ_j f16(p[j]) · v[j·vStride] (out overwritten; the weights rounded to F16 as ggml's
    // F16 product rounds them).
    void (*scoresF16)(const uint16_t* q, const uint16_t* k, size_t kStride, int count, int n, float* scores);
    void (*weightedSumF16)(const float* p, const uint16_t* v, size_t vStride, int count, int n, float* out);
    // x[i] = exp(x[i] − shift) (−inf gives 0); returns the sum in double (softmax's inner loop).
    double (*expShifted)(float* x, int n, float shift);
    // gate[i] = silu(gate[i]) · up[i] (up may be null).
    void (*siluMul)(float* gate, const float* up, int n);
    // The largest of x[0..n) (NaNs ignored; −inf for n = 0 or all −inf).
    float (*maxOf)(const float* x, int n);
    // Several heads sharing one F16 value cache (grouped-query attention):
    // out[g·outStride + i] = Σ_j p[g·pStride + j] · v[j·vStride + i] for g < heads, i < n
    // (weights used as given; out overwritten). Each value row is converted once for all heads.
    void (*weightedSumF16Heads)(const float* p, size_t pStride, int heads, const uint16_t* v, size_t vStride, int count, int n,
                                float* out, size_t outStride);
};
const VectorOps& vectorOps();
const VectorOps& scalarVectorOps();
// nullptr when this CPU or build has no AVX2/FMA/F16C.
const VectorOps* avx2VectorOps();

} // namespace engine::cpu
