// IQ4_NL and IQ4_XS: 4-bit indices into a fixed non-linear table, one scale per 32 elements
// (IQ4_XS packs those scales as 6 bits under one fp16 per 256). As ggml's
// quantize_row_iq4_nl_impl with ntry = 7, which is what llama-quantize runs for both.

#include "quant/Blocks.h"
#include "quant/QuantizeHelpers.h"
#include "quant/QuantizeInternal.h"
#include "quant/Quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace engine::quant::detail {
namespace {

constexpr int kNtry = 7;

// Index of the table level nearest to x (ties to the upper level), by bisection.
int bestIndex(const int8_t* values, float x)
{
    if (x <= values[0])
        return 0;
    if (x >= values[15])
        return 15;
    int lo = 0, hi = 15;
    while (hi - lo > 1) {
        const int mid = (lo + hi) / 2;
        if (x < values[mid])
            hi = mid;
        else
            lo = mid;
    }
    return x - values[hi - 1] < values[hi] - x ? hi - 1 : hi;
}

// One super-block of superSize elements in sub-blocks of 32. Writes L (indices) and returns
// the per-sub-block scales in `scales`; the caller packs them.
struct Iq4Result {
    float maxScale = 0;
};

Iq4Result searchScales(const float* x, int superSize, const float* importance, float* scales, uint8_t* L)
{
    const int8_t* values = kIq4nlValues;
    float sigma2 = 0;
    for (int j = 0; j < superSize; ++j)
        sigma2 += x[j] * x[j];
    sigma2 *= 2.f / static_cast<float>(superSize);

    float weight[32];
    Iq4Result r;
    float amaxScale = 0;
    for (int ib = 0; ib < superSize / 32; ++ib) {
        const float* xb = x + ib * 32;
        uint8_t* Lb = L + ib * 32;
        if (importance) {
            const float* qw = importance + ib * 32;
            for (int j = 0; j < 32; ++j)
                weight[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
        } else {
            for (int j = 0; j < 32; ++j)
                weight[j] = xb[j] * xb[j];
        }
        float amax = 0, max = 0;
        for (int j = 0; j < 32; ++j) {
            const float ax = std::fabs(xb[j]);
            if (ax > amax) {
                amax = ax;
                max = xb[j];
            }
        }
        if (amax < kGroupMaxEps) {
            scales[ib] = 0;
            continue;
        }
        float d = -max / values[0];
        float id = 1 / d;
        float sumqx = 0, sumq2 = 0;
        for (int j = 0; j < 32; ++j) {
            const int l = bestIndex(values, id * xb[j]);
            Lb[j] = static_cast<uint8_t>(l);
            const float q = values[l];
            sumqx += weight[j] * q * xb[j];
            sumq2 += weight[j] * q * q;
        }
        d = sumqx / sumq2;
        float best = d * sumqx;
        for (int itry = -kNtry; itry <= kNtry; ++itry) {
            id = static_cast<float>(itry + values[0]) / max;
            sumqx = sumq2 = 0;
            for (int j = 0; j < 32; ++j) {
                const int l = bestIndex(values, id * xb[j]);
                const float q = values[l];
                sumqx += weight[j] * q * xb[j];
                sumq2 += weight[j] * q * q;
            }
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        scales[ib] = d;
        const float absD = std::fabs(d);
        if (absD > amaxScale) {
            amaxScale = absD;
            r.maxScale = d;
        }
    }
    return r;
}

void packNibbles(const uint8_t* L, uint8_t* q4, int superSize)
{
    for (int i = 0; i < superSize / 32; ++i)
        for (int j = 0; j < 16; ++j)
            q4[16 * i + j] = static_cast<uint8_t>(L[32 * i + j] | (L[32 * i + 16 + j] << 4));
}

} // namespace

void quantizeIQ4_NL(const float* x, BlockIQ4_NL* y, int64_t nb, const float* importance)
{
    uint8_t L[32];
    float scale;
    for (int64_t i = 0; i < nb; ++i, x += 32) {
        std::memset(L, 0, sizeof L);
        searchScales(x, 32, importance ? importance + 32 * i : nullptr, &scale, L);
        y[i].d = f32ToF16(scale);
        const float id = scale != 0 ? 1 / scale : 0;
        for (int j = 0; j < 32; ++j)
            L[j] = static_cast<uint8_t>(bestIndex(kIq4nlValues, id * x[j]));
        packNibbles(L, y[i].qs, 32);
    }
}

void quantizeIQ4_XS(const float* x, BlockIQ4_XS* y, int64_t nb, const float* importance)
{
    uint8_t L[kQK_K];
    float scales[kQK_K / 32];
    for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
        std::memset(L, 0, sizeof L);
        const Iq4Result r = searchScales(x, kQK_K, importance ? importance + kQK_K * i : nullptr, scales, L);
        std::memset(y[i].scalesL, 0, sizeof y[i].scalesL);
        uint16_t scalesH = 0;
        const float d = -r.maxScale / 32;
        y[i].d = f32ToF16(d);
        const float id = d != 0 ? 1 / d : 0.f;
        for (int ib = 0; ib < kQK_K / 32; ++ib) {
            int l = nearestInt(id * scales[ib]);
            l = std::max(-32, std::min(31, l));
            const float dl = d * static_cast<float>(l);
            const float idl = dl != 0 ? 1 / dl : 0.f;
            for (int j = 0; j < 32; ++j)
                L[ib * 32 + j] = static_cast<uint8_t>(bestIndex(kIq4nlValues, idl * x[ib * 32 + j]));
            l += 32;
            const uint8_t low = static_cast<uint8_t>(l & 0xF);
            const uint8_t high = static_cast<uint8_t>(l >> 4);
            if (ib % 2 == 0)
                y[i].scalesL[ib / 2] = low;
            else
                y[i].scalesL[ib / 2] |= static_cast<uint8_t>(low << 4);
            scalesH = static_cast<uint16_t>(scalesH | (high << (2 * (ib % 8))));
        }
        y[i].scalesH = scalesH;
        packNibbles(L, y[i].qs, kQK_K);
    }
}

} // namespace engine::quant::detail
