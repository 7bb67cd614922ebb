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
    for (int j = 0; j < kQK_K / 32; ++j) {
        uint8_t ls = static_cast<uint8_t>(nearestInt(invScale * s.scales[j]));
        uint8_t lm = static_cast<uint8_t>(nearestInt(invMin * s.mins[j]));
        ls = std::min<uint8_t>(63, ls);
        lm = std::min<uint8_t>(63, lm);
        if (j < 4) {
            y.scales[j] = ls;
            y.scales[j + 4] = lm;
        } else {
            y.scales[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
            y.scales[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
            y.scales[j] |= static_cast<uint8_t>((lm >> 4) << 6);
        }
    }
    y.d = f32ToF16(maxScale / 63.f);
    y.dmin = f32ToF16(maxMin / 63.f);
    // Requantize against the scales as they were stored.
    for (int j = 0; j < kQK_K / 32; ++j) {
        uint8_t sc, m;
        kScaleMin(j, y.scales, sc, m);
        const float d = f16ToF32(y.d) * static_cast<float>(sc);
        if (d == 0)
            continue;
        const float dm = f16ToF32(y.dmin) * static_cast<float>(m);
        for (int ii = 0; ii < 32; ++ii) {
            const int l = nearestInt((x[32 * j + ii] + dm) / d);
            L[32 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(nmax, l)));
        }
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
        for (int j = 0; j < kQK_K / 16; ++j) {
            const float d = f16ToF32(y[i].d) * static_cast<float>(y[i].scales[j] & 0xF);
            if (d == 0)
                continue;
            const float dm = f16ToF32(y[i].dmin) * static_cast<float>(y[i].scales[j] >> 4);
            for (int ii = 0; ii < 16; ++ii) {
                const int l = nearestInt((x[16 * j + ii] + dm) / d);
                L[16 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(3, l)));
            }
        }
        pack2Bits(L, y[i].qs);
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
        std::memset(y[i].scales, 0, 12);
        if (maxScale != 0) {
            const float iscale = -32.f / maxScale;
            for (int j = 0; j < kQK_K / 16; ++j) {
                int8_t l = static_cast<int8_t>(nearestInt(iscale * scales[j]));
                l = static_cast<int8_t>(std::max<int>(-32, std::min<int>(31, l)) + 32);
                if (j < 8)
                    y[i].scales[j] = static_cast<uint8_t>(l & 0xF);
                else
                    y[i].scales[j - 8] |= static_cast<uint8_t>((l & 0xF) << 4);
                l = static_cast<int8_t>(l >> 4);
                y[i].scales[j % 4 + 8] |= static_cast<uint8_t>(l << (2 * (j / 4)));
            }
            y[i].d = f32ToF16(1 / iscale);
        } else {
            y[i].d = f32ToF16(0.f);
        }
        int8_t sc[16];
        q3kScales(y[i].scales, sc);
        for (int j = 0; j < kQK_K / 16; ++j) {
            const float d = f16ToF32(y[i].d) * static_cast<float>(sc[j]);
            if (d == 0)
                continue;
            for (int ii = 0; ii < 16; ++ii) {
                const int l = nearestInt(x[16 * j + ii] / d);
                L[16 * j + ii] = static_cast<int8_t>(std::max(-4, std::min(3, l)) + 4);
            }
        }
        // High bits: bit b of hmask[m] holds element m + 32 * b.
        std::memset(y[i].hmask, 0, sizeof y[i].hmask);
        int m = 0;
        uint8_t hm = 1;
        for (int j = 0; j < kQK_K; ++j) {
            if (L[j] > 3) {
                y[i].hmask[m] |= hm;
                L[j] = static_cast<int8_t>(L[j] - 4);
            }
            if (++m == kQK_K / 8) {
                m = 0;
                hm = static_cast<uint8_t>(hm << 1);
            }
        }
        pack2Bits(reinterpret_cast<const uint8_t*>(L), y[i].qs);
    }
}

void quantizeQ4_K(const float* x, BlockQ4_K* y, int64_t nb)
{
    uint8_t L[kQK_K];
    for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
        std::memset(y[i].scales, 0, sizeof y[i].scales);
        quantizeScaleMinBlock(x, y[i], L, 15, -1.f, 20);
        uint8_t* q = y[i].qs;
        for (int j = 0; j < kQK_K; j += 64, q += 32)
            for (int l = 0; l < 32; ++l)
                q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
    }
}

void quantizeQ5_K(const float* x, BlockQ5_K* y, int64_t nb)
{
    uint8_t L[kQK_K];
    for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
        std::memset(y[i].scales, 0, sizeof y[i].scales);
        quantizeScaleMinBlock(x, y[i], L, 31, -0.5f, 15);
        uint8_t* qh = y[i].qh;
        uint8_t* ql = y[i].qs;
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
        const float iscale = -128.f / maxScale;
        y[i].d = f32ToF16(1 / iscale);
        for (int ib = 0; ib < kQK_K / 16; ++ib)
            y[i].scales[ib] = static_cast<int8_t>(std::min(127, nearestInt(iscale * scales[ib])));
        for (int j = 0; j < kQK_K / 16; ++j) {
            const float d = f16ToF32(y[i].d) * static_cast<float>(y[i].scales[j]);
            if (d == 0)
                continue;
            for (int ii = 0; ii < 16; ++ii) {
                const int l = nearestInt(x[16 * j + ii] / d);
                L[16 * j + ii] = static_cast<int8_t>(std::max(-32, std::min(31, l)) + 32);
            }
        }
        uint8_t* ql = y[i].ql;
        uint8_t* qh = y[i].qh;
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
