#include "cpu/Ops.h"

#include "core/CpuFeatures.h"
#include "quant/Quant.h"

#include <cmath>
#include <limits>
#include <vector>

namespace engine::cpu {

void rmsNorm(const float* x, const float* w, float* y, int n, float eps)
{
    double sum = 0.0;
    for (int i = 0; i < n; ++i)
        sum += static_cast<double>(x[i] * x[i]);
    const float mean = static_cast<float>(sum / n);
    const float scale = 1.0f / std::sqrt(mean + eps);
    for (int i = 0; i < n; ++i)
        y[i] = w ? (x[i] * scale) * w[i] : x[i] * scale;
}

void layerNorm(const float* x, const float* w, const float* b, float* y, int n, float eps)
{
    double sum = 0.0;
    for (int i = 0; i < n; ++i)
        sum += x[i];
    const float mean = static_cast<float>(sum / n);
    double sum2 = 0.0;
    for (int i = 0; i < n; ++i) {
        const float d = x[i] - mean;
        y[i] = d;
        sum2 += static_cast<double>(d * d);
    }
    const float scale = 1.0f / std::sqrt(static_cast<float>(sum2 / n) + eps);
    for (int i = 0; i < n; ++i) {
        float v = y[i] * scale;
        if (w)
            v *= w[i];
        if (b)
            v += b[i];
        y[i] = v;
    }
}

void ropeAngles(int pos, int nRot, float base, float freqScale, const float* freqFactors, float* cosSin)
{
    // ggml_rope_cache_init: θ advances by repeated multiplication in float; matching it matters
    // at long positions, where pow() and the product drift apart by a visible fraction of a radian.
    const float thetaScale = std::pow(base, -2.0f / static_cast<float>(nRot));
    float theta = static_cast<float>(pos);
    for (int i = 0; i < nRot / 2; ++i) {
        const float ff = freqFactors ? freqFactors[i] : 1.0f;
        const float angle = freqScale * (theta / ff);
        cosSin[2 * i] = std::cos(angle);
        cosSin[2 * i + 1] = std::sin(angle);
        theta *= thetaScale;
    }
}

void applyRope(float* x, int nHeads, int headDim, int nRot, const float* cosSin, model::RopeKind kind)
{
    if (kind == model::RopeKind::None)
        return;
    const int half = nRot / 2;
    for (int h = 0; h < nHeads; ++h) {
        float* v = x + static_cast<size_t>(h) * headDim;
        for (int i = 0; i < half; ++i) {
            const float c = cosSin[2 * i];
            const float s = cosSin[2 * i + 1];
            float* a = kind == model::RopeKind::Normal ? v + 2 * i : v + i;
            float* b = kind == model::RopeKind::Normal ? v + 2 * i + 1 : v + i + half;
            const float x0 = *a;
            const float x1 = *b;
            *a = x0 * c - x1 * s;
            *b = x0 * s + x1 * c;
        }
    }
}

void softmax(float* x, int n)
{
    const float max = vectorOps().maxOf(x, n);
    if (max == -std::numeric_limits<float>::infinity()) {
        for (int i = 0; i < n; ++i)
            x[i] = 0.0f;
        return;
    }
    const double sum = vectorOps().expShifted(x, n, max);
    const float inv = static_cast<float>(1.0 / sum);
    for (int i = 0; i < n; ++i)
        x[i] *= inv;
}

void softcap(float* x, int n, float cap)
{
    const float inv = 1.0f / cap;
    for (int i = 0; i < n; ++i)
        x[i] = std::tanh(x[i] * inv) * cap;
}

float silu(float x)
{
    return x / (1.0f + std::exp(-x));
}

namespace {

float geluExact(float x)
{
    constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
    constexpr float kCoefA = 0.044715f;
    return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * x * (1.0f + kCoefA * x * x)));
}

// ggml_table_gelu_f16: GELU of every F16 value, rounded to F16 (stored here already widened).
const std::vector<float>& geluTable()
{
    static const std::vector<float> table = [] {
        std::vector<float> t(65536);
        for (uint32_t i = 0; i < 65536; ++i)
            t[i] = quant::f16ToF32(quant::f32ToF16(geluExact(quant::f16ToF32(static_cast<uint16_t>(i)))));
        return t;
    }();
    return table;
}

} // namespace

float gelu(float x)
{
    if (x <= -10.0f)
        return 0.0f;
    if (x >= 10.0f)
        return x;
    return geluTable()[quant::f32ToF16(x)];
}

void activate(float* gate, const float* up, int n, model::Activation act)
{
    if (act == model::Activation::Gelu) {
        const std::vector<float>& table = geluTable();
        for (int i = 0; i < n; ++i) {
            const float x = gate[i];
            const float g = x <= -10.0f ? 0.0f : x >= 10.0f ? x : table[quant::f32ToF16(x)];
            gate[i] = up ? g * up[i] : g;
        }
    } else {
        vectorOps().siluMul(gate, up, n);
    }
}

namespace {

float dotF32Scalar(const float* a, const float* b, int n)
{
    float sum = 0.0f;
    for (int i = 0; i < n; ++i)
        sum += a[i] * b[i];
    return sum;
}

float dotF16Scalar(const uint16_t* a, const uint16_t* b, int n)
{
    float sum = 0.0f;
    for (int i = 0; i < n; ++i)
        sum += quant::f16ToF32(a[i]) * quant::f16ToF32(b[i]);
    return sum;
}

void axpyF32Scalar(float a, const float* x, float* y, int n)
{
    for (int i = 0; i < n; ++i)
        y[i] += a * x[i];
}

void axpyF16Scalar(float a, const uint16_t* x, float* y, int n)
{
    for (int i = 0; i < n; ++i)
        y[i] += a * quant::f16ToF32(x[i]);
}

void toF16Scalar(const float* x, uint16_t* y, int n)
{
    for (int i = 0; i < n; ++i)
        y[i] = quant::f32ToF16(x[i]);
}

void scoresF16Scalar(const uint16_t* q, const uint16_t* k, size_t kStride, int count, int n, float* scores)
{
    for (int j = 0; j < count; ++j)
        scores[j] = dotF16Scalar(q, k + static_cast<size_t>(j) * kStride, n);
}

void weightedSumF16Scalar(const float* p, const uint16_t* v, size_t vStride, int count, int n, float* out)
{
    for (int i = 0; i < n; ++i)
        out[i] = 0.0f;
    for (int j = 0; j < count; ++j) {
        const float w = quant::f16ToF32(quant::f32ToF16(p[j]));
        if (w != 0.0f)
            axpyF16Scalar(w, v + static_cast<size_t>(j) * vStride, out, n);
    }
}

double expShiftedScalar(float* x, int n, float shift)
{
    double sum = 0.0;
    for (int i = 0; i < n; ++i) {
        const float e = x[i] == -std::numeric_limits<float>::infinity() ? 0.0f : std::exp(x[i] - shift);
        x[i] = e;
        sum += e;
    }
    return sum;
}

void siluMulScalar(float* gate, const float* up, int n)
{
    for (int i = 0; i < n; ++i) {
        const float g = silu(gate[i]);
        gate[i] = up ? g * up[i] : g;
    }
}

void weightedSumF16HeadsScalar(const float* p, size_t pStride, int heads, const uint16_t* v, size_t vStride, int count, int n,
                               float* out, size_t outStride)
{
    for (int g = 0; g < heads; ++g) {
        float* o = out + static_cast<size_t>(g) * outStride;
        for (int i = 0; i < n; ++i)
            o[i] = 0.0f;
        for (int j = 0; j < count; ++j)
            axpyF16Scalar(p[static_cast<size_t>(g) * pStride + j], v + static_cast<size_t>(j) * vStride, o, n);
    }
}

float maxOfScalar(const float* x, int n)
{
    float max = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < n; ++i)
        max = std::max(max, x[i]);
    return max;
}

} // namespace

const VectorOps& scalarVectorOps()
{
    static const VectorOps ops{dotF32Scalar, dotF16Scalar, axpyF32Scalar, axpyF16Scalar, toF16Scalar, scoresF16Scalar,
                               weightedSumF16Scalar, expShiftedScalar, siluMulScalar, maxOfScalar,
                               weightedSumF16HeadsScalar};
    return ops;
}

const VectorOps& vectorOps()
{
    static const VectorOps& ops = [&]() -> const VectorOps& {
        if (const VectorOps* fast = avx2VectorOps())
            return *fast;
        return scalarVectorOps();
    }();
    return ops;
}

} // namespace engine::cpu
