// Reference quantizers of the K-quants (super-blocks of 256), as ggml's quantize_row_q*_K_ref,
// which llama-quantize runs for these types when it has no importance matrix.

#include "quant/Blocks.h"
#include "quant/QuantizeHelpers.h"
#include "quant/QuantizeInternal.h"
#include "quant/Quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace engine::quant::detail {
namespace {

// Packs 2-bit values: byte l of each 32-byte group holds elements l, l+32, l+64, l+96.
void pack2Bits(const uint8_t* L, uint8_t* qs)
{
    for (int j = 0; j < kQK_K; j += 128)
        for (int l = 0; l < 32; ++l)
            qs[j / 4 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4)
                                                 | (L[j + l + 96] << 6));
}

// Q4_K/Q5_K share the asymmetric 8 x 32 scheme; only the quant range differs.
struct KScales {
    float scales[kQK_K / 32];
    float mins[kQK_K / 32];
};

// Stores the 6-bit scales/mins and d/dmin of a Q4_K/Q5_K super-block, then requantizes L
// (0..nmax) against the scales as stored.
template <typename Block>
void storeScaleMin(const float* x, Block& y, uint8_t* L, int nmax, const uint8_t* ls, const uint8_t* lm, float d, float dmin)
{
    for (int j = 0; j < kQK_K / 32; ++j) {
        if (j < 4) {
            y.scales[j] = ls[j];
            y.scales[j + 4] = lm[j];
        } else {
            y.scales[j + 4] = static_cast<uint8_t>((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
            y.scales[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
            y.scales[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
        }
    }
    y.d = f32ToF16(d);
    y.dmin = f32ToF16(dmin);
    for (int j = 0; j < kQK_K / 32; ++j) {
        uint8_t sc, m;
        kScaleMin(j, y.scales, sc, m);
        const float dj = f16ToF32(y.d) * static_cast<float>(sc);
        if (dj == 0)
            continue;
        const float dm = f16ToF32(y.dmin) * static_cast<float>(m);
        for (int ii = 0; ii < 32; ++ii) {
            const int l = nearestInt((x[32 * j + ii] + dm) / dj);
            L[32 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(nmax, l)));
        }
    }
}

// Fills L (0..nmax per element), the packed 6-bit scales/mins and d/dmin of one super-block.
template <typename Block>
void quantizeScaleMinBlock(const float* x, Block& y, uint8_t* L, int nmax, float rmin, int nstep)
{
    uint8_t Laux[32];
    float weights[32];
    KScales s;
    float maxScale = 0;
    float maxMin = 0;
    for (int j = 0; j < kQK_K / 32; ++j) {
        float sumX2 = 0;
        for (int l = 0; l < 32; ++l)
            sumX2 += x[32 * j + l] * x[32 * j + l];
        const float avX = std::sqrt(sumX2 / 32);
        for (int l = 0; l < 32; ++l)
            weights[l] = avX + std::fabs(x[32 * j + l]);
        s.scales[j] = makeQkx2Quants(32, nmax, x + 32 * j, weights, L + 32 * j, &s.mins[j], Laux, rmin, 0.1f,
                                     nstep, false);
        if (s.scales[j] > maxScale)
            maxScale = s.scales[j];
        if (s.mins[j] > maxMin)
            maxMin = s.mins[j];
    }
    const float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
    const float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
    uint8_t ls[8], lm[8];
    for (int j = 0; j < kQK_K / 32; ++j) {
        ls[j] = std::min<uint8_t>(63, static_cast<uint8_t>(nearestInt(invScale * s.scales[j])));
        lm[j] = std::min<uint8_t>(63, static_cast<uint8_t>(nearestInt(invMin * s.mins[j])));
    }
    storeScaleMin(x, y, L, nmax, ls, lm, maxScale / 63.f, maxMin / 63.f);
}

// Q2_K after its scales, mins, d and dmin are stored: requantize against them, pack.
void finishQ2K(const float* x, BlockQ2_K& y, uint8_t* L)
{
    for (int j = 0; j < kQK_K / 16; ++j) {
        const float d = f16ToF32(y.d) * static_cast<float>(y.scales[j] & 0xF);
        if (d == 0)
            continue;
        const float dm = f16ToF32(y.dmin) * static_cast<float>(y.scales[j] >> 4);
        for (int ii = 0; ii < 16; ++ii) {
            const int l = nearestInt((x[16 * j + ii] + dm) / d);
            L[16 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(3, l)));
        }
    }
    pack2Bits(L, y.qs);
}

// Q3_K after its scales and d are stored: requantize, split off the high bits, pack.
void finishQ3K(const float* x, BlockQ3_K& y, int8_t* L)
{
    int8_t sc[16];
    q3kScales(y.scales, sc);
    for (int j = 0; j < kQK_K / 16; ++j) {
        const float d = f16ToF32(y.d) * static_cast<float>(sc[j]);
        if (d == 0)
            continue;
        for (int ii = 0; ii < 16; ++ii) {
            const int l = nearestInt(x[16 * j + ii] / d);
            L[16 * j + ii] = static_cast<int8_t>(std::max(-4, std::min(3, l)) + 4);
        }
    }
    // High bits: bit b of hmask[m] holds element m + 32 * b.
    std::memset(y.hmask, 0, sizeof y.hmask);
    int m = 0;
    uint8_t hm = 1;
    for (int j = 0; j < kQK_K; ++j) {
        if (L[j] > 3) {
            y.hmask[m] |= hm;
            L[j] = static_cast<int8_t>(L[j] - 4);
        }
        if (++m == kQK_K / 8) {
            m = 0;
            hm = static_cast<uint8_t>(hm << 1);
        }
    }
    pack2Bits(reinterpret_cast<const uint8_t*>(L), y.qs);
}

// Q3_K's sixteen 6-bit scales (0..63, stored with +32) into the 12 packed bytes.
void storeQ3KScales(BlockQ3_K& y, const int* l6)
{
    std::memset(y.scales, 0, 12);
    for (int j = 0; j < kQK_K / 16; ++j) {
        const int l = l6[j];
        if (j < 8)
            y.scales[j] = static_cast<uint8_t>(l & 0xF);
        else
            y.scales[j - 8] |= static_cast<uint8_t>((l & 0xF) << 4);
        y.scales[j % 4 + 8] |= static_cast<uint8_t>((l >> 4) << (2 * (j / 4)));
    }
}

// Q6_K after the sub-block scale search: store the 8-bit scales and d, requantize, pack.
void finishQ6K(const float* x, BlockQ6_K& y, int8_t* L, const float* scales, float maxScale)
{
    const float iscale = -128.f / maxScale;
    y.d = f32ToF16(1 / iscale);
    for (int ib = 0; ib < kQK_K / 16; ++ib)
        y.scales[ib] = static_cast<int8_t>(std::min(127, nearestInt(iscale * scales[ib])));
    for (int j = 0; j < kQK_K / 16; ++j) {
        const float d = f16ToF32(y.d) * static_cast<float>(y.scales[j]);
        if (d == 0)
            continue;
        for (int ii = 0; ii < 16; ++ii) {
            const int l = nearestInt(x[16 * j + ii] / d);
            L[16 * j + ii] = static_cast<int8_t>(std::max(-32, std::min(31, l)) + 32);
        }
    }
    uint8_t* ql = y.ql;
    uint8_t* qh = y.qh;
    for (int j = 0; j < kQK_K; j += 128, ql += 64, qh += 32) {
        for (int l = 0; l < 32; ++l) {
            const int q1 = L[j + l] & 0xF;
            const int q2 = L[j + l + 32] & 0xF;
            const int q3 = L[j + l + 64] & 0xF;
            const int q4 = L[j + l + 96] & 0xF;
            ql[l] = static_cast<uint8_t>(q1 | (q3 << 4));
            ql[l + 32] = static_cast<uint8_t>(q2 | (q4 << 4));
            qh[l] = static_cast<uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2)
                                         | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
        }
    }
}

void packQ4K(const uint8_t* L, BlockQ4_K& y)
{
    uint8_t* q = y.qs;
    for (int j = 0; j < kQK_K; j += 64, q += 32)
        for (int l = 0; l < 32; ++l)
            q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
}

void packQ5K(const uint8_t* L, BlockQ5_K& y)
{
    uint8_t* qh = y.qh;
    uint8_t* ql = y.qs;
    std::memset(qh, 0, kQK_K / 8);
    uint8_t m1 = 1, m2 = 2;
    for (int n = 0; n < kQK_K; n += 64, ql += 32) {
        for (int j = 0; j < 32; ++j) {
            int l1 = L[n + j];
            if (l1 > 15) {
                l1 -= 16;
                qh[j] |= m1;
            }
            int l2 = L[n + j + 32];
            if (l2 > 15) {
                l2 -= 16;
                qh[j] |= m2;
            }
            ql[j] = static_cast<uint8_t>(l1 | (l2 << 4));
        }
        m1 = static_cast<uint8_t>(m1 << 2);
        m2 = static_cast<uint8_t>(m2 << 2);
    }
}

} // namespace

void quantizeQ2_K(const float* x, BlockQ2_K* y, int64_t nb)
{
    uint8_t L[kQK_K];
    uint8_t Laux[16];
    float weights[16];
    float mins[kQK_K / 16];
    float scales[kQK_K / 16];
    const float q4scale = 15.f;
    for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < kQK_K / 16; ++j) {
            for (int l = 0; l < 16; ++l)
                weights[l] = std::fabs(x[16 * j + l]);
            scales[j] = makeQkx2Quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux, -0.5f, 0.1f, 15, true);
            if (scales[j] > maxScale)
                maxScale = scales[j];
            if (mins[j] > maxMin)
                maxMin = mins[j];
        }
        if (maxScale > 0) {
            const float iscale = q4scale / maxScale;
            for (int j = 0; j < kQK_K / 16; ++j)
                y[i].scales[j] = static_cast<uint8_t>(nearestInt(iscale * scales[j]));
            y[i].d = f32ToF16(maxScale / q4scale);
        } else {
            std::memset(y[i].scales, 0, sizeof y[i].scales);
            y[i].d = f32ToF16(0.f);
        }
        if (maxMin > 0) {
            const float iscale = q4scale / maxMin;
            for (int j = 0; j < kQK_K / 16; ++j)
                y[i].scales[j] |= static_cast<uint8_t>(nearestInt(iscale * mins[j]) << 4);
            y[i].dmin = f32ToF16(maxMin / q4scale);
        } else {
            y[i].dmin = f32ToF16(0.f);
        }
        finishQ2K(x, y[i], L);
    }
}

void quantizeQ3_K(const float* x, BlockQ3_K* y, int64_t nb)
{
    int8_t L[kQK_K];
    float scales[kQK_K / 16];
    for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < kQK_K / 16; ++j) {
            scales[j] = makeQ3Quants(16, 4, x + 16 * j, L + 16 * j, true);
            const float scale = std::fabs(scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = scales[j];
            }
        }
        if (maxScale != 0) {
            const float iscale = -32.f / maxScale;
            int l6[kQK_K / 16];
            for (int j = 0; j < kQK_K / 16; ++j) {
                const int8_t l = static_cast<int8_t>(nearestInt(iscale * scales[j]));
                l6[j] = std::max<int>(-32, std::min<int>(31, l)) + 32;
            }
            storeQ3KScales(y[i], l6);
            y[i].d = f32ToF16(1 / iscale);
        } else {
            std::memset(y[i].scales, 0, 12);
            y[i].d = f32ToF16(0.f);
        }
        finishQ3K(x, y[i], L);
    }
}

void quantizeQ4_K(const float* x, BlockQ4_K* y, int64_t nb)
{
    uint8_t L[kQK_K];
    for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
        std::memset(y[i].scales, 0, sizeof y[i].scales);
        quantizeScaleMinBlock(x, y[i], L, 15, -1.f, 20);
        packQ4K(L, y[i]);
    }
}

void quantizeQ5_K(const float* x, BlockQ5_K* y, int64_t nb)
{
    uint8_t L[kQK_K];
    for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
        std::memset(y[i].scales, 0, sizeof y[i].scales);
        quantizeScaleMinBlock(x, y[i], L, 31, -0.5f, 15);
        packQ5K(L, y[i]);
    }
}

void quantizeQ6_K(const float* x, BlockQ6_K* y, int64_t nb)
{
    int8_t L[kQK_K];
    float scales[kQK_K / 16];
    for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < kQK_K / 16; ++ib) {
            const float scale = makeQxQuants(16, 32, x + 16 * ib, L + 16 * ib, 1, nullptr);
            scales[ib] = scale;
            const float absScale = std::fabs(scale);
            if (absScale > maxAbsScale) {
                maxAbsScale = absScale;
                maxScale = scale;
            }
        }
        if (maxAbsScale < kGroupMaxEps) {
            std::memset(&y[i], 0, sizeof(BlockQ6_K));
            y[i].d = f32ToF16(0.f);
            continue;
        }
        finishQ6K(x, y[i], L, scales, maxScale);
    }
}

// ---- with an importance matrix (llama.cpp's quantize_row_q*_K_impl) ----

namespace {

// 2 * mean(x^2) over a super-block: the variance term of the importance weights.
float superSigma2(const float* x, float factor)
{
    float sumX2 = 0;
    for (int l = 0; l < kQK_K; ++l)
        sumX2 += x[l] * x[l];
    return factor * sumX2 / kQK_K;
}

void importanceWeights(const float* x, const float* qw, float sigma2, int count, float* weight)
{
    for (int l = 0; l < count; ++l)
        weight[l] = qw[l] * std::sqrt(sigma2 + x[l] * x[l]);
}

template <typename Block>
void scaleMinWeighted(const float* x, Block& y, uint8_t* L, int nmax, const float* qw)
{
    uint8_t Laux[32], Ls[8], Lm[8];
    float weights[32], sw[8], mins[8], scales[8];
    const float sigma2 = superSigma2(x, 2.f);
    for (int j = 0; j < kQK_K / 32; ++j) {
        importanceWeights(x + 32 * j, qw + 32 * j, sigma2, 32, weights);
        float sumw = 0;
        for (int l = 0; l < 32; ++l)
            sumw += weights[l];
        sw[j] = sumw;
        scales[j] = makeQkx3Quants(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -0.9f, 0.05f, 36, false);
    }
    const float dBlock = makeQpQuants(kQK_K / 32, 63, scales, Ls, sw);
    const float mBlock = makeQpQuants(kQK_K / 32, 63, mins, Lm, sw);
    std::memset(y.scales, 0, sizeof y.scales);
    storeScaleMin(x, y, L, nmax, Ls, Lm, dBlock, mBlock);
}

} // namespace

void quantizeQ2_KWeighted(const float* x, BlockQ2_K* y, int64_t n, const float* importance)
{
    uint8_t L[kQK_K], Laux[16], Ls[16], Lm[16];
    float mins[16], scales[16], sw[16], weight[16];
    for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
        const float* qw = importance + kQK_K * i;
        const float sigma2 = superSigma2(x, 1.f);
        for (int j = 0; j < kQK_K / 16; ++j) {
            importanceWeights(x + 16 * j, qw + 16 * j, sigma2, 16, weight);
            sw[j] = 0;
            for (int l = 0; l < 16; ++l)
                sw[j] += weight[l];
            scales[j] = makeQkx3Quants(16, 3, x + 16 * j, weight, L + 16 * j, &mins[j], Laux, -0.9f, 0.05f, 36, false);
        }
        const float dm = makeQpQuants(16, 15, scales, Ls, sw);
        const float mm = makeQpQuants(16, 15, mins, Lm, sw);
        y[i].d = f32ToF16(dm);
        y[i].dmin = f32ToF16(mm);
        for (int j = 0; j < kQK_K / 16; ++j)
            y[i].scales[j] = static_cast<uint8_t>(Ls[j] | (Lm[j] << 4));
        finishQ2K(x, y[i], L);
    }
}

void quantizeQ3_KWeighted(const float* x, BlockQ3_K* y, int64_t n, const float* importance)
{
    int8_t L[kQK_K], Ls[16];
    float scales[16], weight[16], sw[16];
    for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
        const float* qw = importance + kQK_K * i;
        const float sigma2 = superSigma2(x, 2.f);
        for (int j = 0; j < kQK_K / 16; ++j) {
            importanceWeights(x + 16 * j, qw + 16 * j, sigma2, 16, weight);
            float sumw = 0;
            for (int l = 0; l < 16; ++l)
                sumw += weight[l];
            sw[j] = sumw;
            scales[j] = makeQxQuants(16, 4, x + 16 * j, L + 16 * j, 1, weight);
        }
        const float dBlock = makeQxQuants(kQK_K / 16, 32, scales, Ls, 1, sw);
        int l6[16];
        for (int j = 0; j < 16; ++j)
            l6[j] = Ls[j];
        storeQ3KScales(y[i], l6);
        y[i].d = f32ToF16(dBlock);
        finishQ3K(x, y[i], L);
    }
}

void quantizeQ4_KWeighted(const float* x, BlockQ4_K* y, int64_t n, const float* importance)
{
    uint8_t L[kQK_K];
    for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
        scaleMinWeighted(x, y[i], L, 15, importance + kQK_K * i);
        packQ4K(L, y[i]);
    }
}

void quantizeQ5_KWeighted(const float* x, BlockQ5_K* y, int64_t n, const float* importance)
{
    uint8_t L[kQK_K];
    for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
        scaleMinWeighted(x, y[i], L, 31, importance + kQK_K * i);
        packQ5K(L, y[i]);
    }
}

void quantizeQ6_KWeighted(const float* x, BlockQ6_K* y, int64_t n, const float* importance)
{
    int8_t L[kQK_K];
    float scales[kQK_K / 16];
    for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < kQK_K / 16; ++ib) {
            scales[ib] = makeQxQuants(16, 32, x + 16 * ib, L + 16 * ib, 1, importance + kQK_K * i + 16 * ib);
            if (std::fabs(scales[ib]) > maxAbsScale) {
                maxAbsScale = std::fabs(scales[ib]);
                maxScale = scales[ib];
            }
        }
        if (maxAbsScale < kGroupMaxEps) {
            std::memset(&y[i], 0, sizeof(BlockQ6_K));
            continue;
        }
        finishQ6K(x, y[i], L, scales, maxScale);
    }
}

void quantizeQ8_K(const float* x, BlockQ8_K* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
        float max = 0;
        float amax = 0;
        for (int j = 0; j < kQK_K; ++j) {
            const float ax = std::fabs(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        if (amax == 0) {
            y[i].d = 0;
            std::memset(y[i].qs, 0, sizeof y[i].qs);
            std::memset(y[i].bsums, 0, sizeof y[i].bsums);
            continue;
        }
        // -127 rather than -128 keeps every quant in [-127, 127] (ggml: for IQ2_XXS's AVX path).
        const float iscale = -127.f / max;
        for (int j = 0; j < kQK_K; ++j)
            y[i].qs[j] = static_cast<int8_t>(std::min(127, nearestInt(iscale * x[j])));
        for (int j = 0; j < kQK_K / 16; ++j) {
            int sum = 0;
            for (int ii = 0; ii < 16; ++ii)
                sum += y[i].qs[j * 16 + ii];
            y[i].bsums[j] = static_cast<int16_t>(sum);
        }
        y[i].d = 1 / iscale;
    }
}

} // namespace engine::quant::detail
