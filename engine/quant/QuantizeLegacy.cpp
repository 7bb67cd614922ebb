// Reference quantizers of the 32-element formats, as ggml's quantize_row_*_ref (which is what
// llama-quantize runs for these types when it has no importance matrix).

#include "quant/Blocks.h"
#include "quant/QuantizeHelpers.h"
#include "quant/QuantizeInternal.h"
#include "quant/Quant.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace engine::quant::detail {
namespace {

// Absolute maximum and the signed value holding it (the first one on ties).
inline void signedMax(const float* x, int n, float& amax, float& max)
{
    amax = 0.0f;
    max = 0.0f;
    for (int j = 0; j < n; ++j) {
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
}

inline void minMax(const float* x, int n, float& min, float& max)
{
    min = FLT_MAX;
    max = -FLT_MAX;
    for (int j = 0; j < n; ++j) {
        min = std::min(min, x[j]);
        max = std::max(max, x[j]);
    }
}

} // namespace

void quantizeQ4_0(const float* x, BlockQ4_0* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float amax, max;
        signedMax(x, kQK, amax, max);
        const float d = max / -8;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = f32ToF16(d);
        for (int j = 0; j < kQK / 2; ++j) {
            const int q0 = std::min(15, static_cast<int>(x[j] * id + 8.5f));
            const int q1 = std::min(15, static_cast<int>(x[j + kQK / 2] * id + 8.5f));
            y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
}

void quantizeQ4_1(const float* x, BlockQ4_1* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float min, max;
        minMax(x, kQK, min, max);
        const float d = (max - min) / 15;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = f32ToF16(d);
        y[i].m = f32ToF16(min);
        for (int j = 0; j < kQK / 2; ++j) {
            const int q0 = std::min(15, static_cast<int>((x[j] - min) * id + 0.5f));
            const int q1 = std::min(15, static_cast<int>((x[j + kQK / 2] - min) * id + 0.5f));
            y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
}

namespace {

// Packs 32 five-bit values (element j and j+16 share qs[j]) with their fifth bits in qh.
template <typename Block>
void packQ5(Block& b, const int* q)
{
    uint32_t qh = 0;
    for (int j = 0; j < kQK / 2; ++j) {
        b.qs[j] = static_cast<uint8_t>((q[j] & 0x0F) | ((q[j + kQK / 2] & 0x0F) << 4));
        qh |= static_cast<uint32_t>((q[j] & 0x10) >> 4) << j;
        qh |= static_cast<uint32_t>((q[j + kQK / 2] & 0x10) >> 4) << (j + kQK / 2);
    }
    std::memcpy(b.qh, &qh, sizeof qh);
}

} // namespace

void quantizeQ5_0(const float* x, BlockQ5_0* y, int64_t nb)
{
    int q[kQK];
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float amax, max;
        signedMax(x, kQK, amax, max);
        const float d = max / -16;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = f32ToF16(d);
        for (int j = 0; j < kQK; ++j)
            q[j] = std::min(31, static_cast<int>(x[j] * id + 16.5f));
        packQ5(y[i], q);
    }
}

void quantizeQ5_1(const float* x, BlockQ5_1* y, int64_t nb)
{
    int q[kQK];
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float min, max;
        minMax(x, kQK, min, max);
        const float d = (max - min) / 31;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = f32ToF16(d);
        y[i].m = f32ToF16(min);
        for (int j = 0; j < kQK; ++j)
            q[j] = static_cast<int>((x[j] - min) * id + 0.5f); // ggml does not clamp here
        packQ5(y[i], q);
    }
}

void quantizeQ8_0(const float* x, BlockQ8_0* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float amax = 0.0f;
        for (int j = 0; j < kQK; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = f32ToF16(d);
        for (int j = 0; j < kQK; ++j)
            y[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
    }
}

void quantizeQ8_1(const float* x, BlockQ8_1* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float amax = 0.0f;
        for (int j = 0; j < kQK; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = f32ToF16(d);
        int sum = 0;
        for (int j = 0; j < kQK; ++j) {
            y[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
            sum += y[i].qs[j];
        }
        y[i].s = f32ToF16(static_cast<float>(sum) * d);
    }
}

namespace {

// Per-element weights of a block: importance scaled by the element's size against the row.
void blockWeights(const float* xb, const float* qw, float sigma2, float* weight)
{
    for (int j = 0; j < kQK; ++j)
        weight[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
}

float rowSigma2(const float* x, int64_t n)
{
    float sumX2 = 0;
    for (int64_t j = 0; j < n; ++j)
        sumX2 += x[j] * x[j];
    return sumX2 / static_cast<float>(n);
}

} // namespace

void quantizeQ4_0Weighted(const float* x, BlockQ4_0* y, int64_t n, const float* importance)
{
    const float sigma2 = rowSigma2(x, n);
    float weight[kQK];
    int8_t L[kQK];
    for (int64_t ib = 0; ib < n / kQK; ++ib) {
        const float* xb = x + kQK * ib;
        blockWeights(xb, importance + kQK * ib, sigma2, weight);
        y[ib].d = f32ToF16(makeQxQuants(kQK, 8, xb, L, 1, weight));
        for (int j = 0; j < 16; ++j)
            y[ib].qs[j] = static_cast<uint8_t>(L[j] | (L[j + 16] << 4));
    }
}

void quantizeQ4_1Weighted(const float* x, BlockQ4_1* y, int64_t n, const float* importance)
{
    const float sigma2 = rowSigma2(x, n);
    float weight[kQK];
    uint8_t L[kQK], Laux[kQK];
    for (int64_t ib = 0; ib < n / kQK; ++ib) {
        const float* xb = x + kQK * ib;
        blockWeights(xb, importance + kQK * ib, sigma2, weight);
        float min;
        const float d = makeQkx3Quants(kQK, 15, xb, weight, L, &min, Laux, -0.9f, 0.05f, 36, false);
        y[ib].d = f32ToF16(d);
        y[ib].m = f32ToF16(-min);
        for (int j = 0; j < 16; ++j)
            y[ib].qs[j] = static_cast<uint8_t>(L[j] | (L[j + 16] << 4));
    }
}

void quantizeQ5_0Weighted(const float* x, BlockQ5_0* y, int64_t n, const float* importance)
{
    const float sigma2 = rowSigma2(x, n);
    float weight[kQK];
    int8_t L[kQK];
    int q[kQK];
    for (int64_t ib = 0; ib < n / kQK; ++ib) {
        const float* xb = x + kQK * ib;
        blockWeights(xb, importance + kQK * ib, sigma2, weight);
        y[ib].d = f32ToF16(makeQxQuants(kQK, 16, xb, L, 1, weight));
        for (int j = 0; j < kQK; ++j)
            q[j] = L[j];
        packQ5(y[ib], q);
    }
}

void quantizeQ5_1Weighted(const float* x, BlockQ5_1* y, int64_t n, const float* importance)
{
    const float sigma2 = rowSigma2(x, n);
    float weight[kQK];
    uint8_t L[kQK], Laux[kQK];
    int q[kQK];
    for (int64_t ib = 0; ib < n / kQK; ++ib) {
        const float* xb = x + kQK * ib;
        blockWeights(xb, importance + kQK * ib, sigma2, weight);
        float min;
        const float d = makeQkx3Quants(kQK, 31, xb, weight, L, &min, Laux, -0.9f, 0.05f, 36, false);
        y[ib].d = f32ToF16(d);
        y[ib].m = f32ToF16(-min);
        for (int j = 0; j < kQK; ++j)
            q[j] = L[j];
        packQ5(y[ib], q);
    }
}

} // namespace engine::quant::detail
