// Reference dequantization, element for element what ggml's dequantize_row_* compute
// (the same float operations in the same order, so results are bit-identical).

#include "quant/Blocks.h"
#include "quant/HalfInline.h"
#include "quant/Quant.h"

#include <cassert>
#include <cstring>

namespace engine::quant {
namespace {

using detail::halfToFloat;

inline float h2f(Half h) { return halfToFloat(h); }

void dequantQ4_0(const BlockQ4_0* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        for (int j = 0; j < kQK / 2; ++j) {
            y[j] = static_cast<float>((x[i].qs[j] & 0x0F) - 8) * d;
            y[j + kQK / 2] = static_cast<float>((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void dequantQ4_1(const BlockQ4_1* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        const float m = h2f(x[i].m);
        for (int j = 0; j < kQK / 2; ++j) {
            y[j] = static_cast<float>(x[i].qs[j] & 0x0F) * d + m;
            y[j + kQK / 2] = static_cast<float>(x[i].qs[j] >> 4) * d + m;
        }
    }
}

// The 5-bit value of element j (0..31) of a Q5_0/Q5_1 block.
inline int q5Value(const uint8_t* qs, uint32_t qh, int j)
{
    const int low = j < 16 ? (qs[j] & 0x0F) : (qs[j - 16] >> 4);
    return low | static_cast<int>(((qh >> j) & 1) << 4);
}

void dequantQ5_0(const BlockQ5_0* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        uint32_t qh;
        std::memcpy(&qh, x[i].qh, sizeof qh);
        for (int j = 0; j < kQK; ++j)
            y[j] = static_cast<float>(q5Value(x[i].qs, qh, j) - 16) * d;
    }
}

void dequantQ5_1(const BlockQ5_1* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        const float m = h2f(x[i].m);
        uint32_t qh;
        std::memcpy(&qh, x[i].qh, sizeof qh);
        for (int j = 0; j < kQK; ++j)
            y[j] = static_cast<float>(q5Value(x[i].qs, qh, j)) * d + m;
    }
}

void dequantQ8_0(const BlockQ8_0* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        for (int j = 0; j < kQK; ++j)
            y[j] = static_cast<float>(x[i].qs[j]) * d;
    }
}

void dequantQ8_1(const BlockQ8_1* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        for (int j = 0; j < kQK; ++j)
            y[j] = static_cast<float>(x[i].qs[j]) * d;
    }
}

void dequantQ2_K(const BlockQ2_K* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const float d = h2f(x[i].d);
        const float dmin = h2f(x[i].dmin);
        const uint8_t* q = x[i].qs;
        int is = 0;
        for (int n = 0; n < kQK_K; n += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; ++half) {
                    const uint8_t sc = x[i].scales[is++];
                    const float dl = d * static_cast<float>(sc & 0xF);
                    const float ml = dmin * static_cast<float>(sc >> 4);
                    for (int l = 0; l < 16; ++l)
                        *y++ = dl * static_cast<float>((q[l + 16 * half] >> shift) & 3) - ml;
                }
            }
        }
    }
}

void dequantQ3_K(const BlockQ3_K* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const float dAll = h2f(x[i].d);
        int8_t scales[16];
        q3kScales(x[i].scales, scales);
        const uint8_t* q = x[i].qs;
        const uint8_t* hm = x[i].hmask;
        uint8_t m = 1;
        int is = 0;
        for (int n = 0; n < kQK_K; n += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, m = static_cast<uint8_t>(m << 1)) {
                for (int half = 0; half < 2; ++half) {
                    const float dl = dAll * static_cast<float>(scales[is++]);
                    for (int l = 0; l < 16; ++l) {
                        const int k = l + 16 * half;
                        const int v = ((q[k] >> shift) & 3) - ((hm[k] & m) ? 0 : 4);
                        *y++ = dl * static_cast<float>(v);
                    }
                }
            }
        }
    }
}

void dequantQ4_K(const BlockQ4_K* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const uint8_t* q = x[i].qs;
        const float d = h2f(x[i].d);
        const float dmin = h2f(x[i].dmin);
        for (int is = 0; is < 8; is += 2, q += 32) {
            uint8_t sc, m;
            kScaleMin(is, x[i].scales, sc, m);
            const float d1 = d * sc, m1 = dmin * m;
            kScaleMin(is + 1, x[i].scales, sc, m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
        }
    }
}

void dequantQ5_K(const BlockQ5_K* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const uint8_t* ql = x[i].qs;
        const uint8_t* qh = x[i].qh;
        const float d = h2f(x[i].d);
        const float dmin = h2f(x[i].dmin);
        uint8_t u1 = 1, u2 = 2;
        for (int is = 0; is < 8; is += 2, ql += 32) {
            uint8_t sc, m;
            kScaleMin(is, x[i].scales, sc, m);
            const float d1 = d * sc, m1 = dmin * m;
            kScaleMin(is + 1, x[i].scales, sc, m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * static_cast<float>((ql[l] & 0xF) + ((qh[l] & u1) ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * static_cast<float>((ql[l] >> 4) + ((qh[l] & u2) ? 16 : 0)) - m2;
            u1 = static_cast<uint8_t>(u1 << 2);
            u2 = static_cast<uint8_t>(u2 << 2);
        }
    }
}

void dequantQ6_K(const BlockQ6_K* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const float d = h2f(x[i].d);
        const uint8_t* ql = x[i].ql;
        const uint8_t* qh = x[i].qh;
        const int8_t* sc = x[i].scales;
        for (int n = 0; n < kQK_K; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                // ggml multiplies d * scale in float first, then by the quant.
                y[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
                y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
                y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
                y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
            }
        }
    }
}

void dequantQ8_K(const BlockQ8_K* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i)
        for (int j = 0; j < kQK_K; ++j)
            *y++ = x[i].d * static_cast<float>(x[i].qs[j]);
}

void dequantIQ4_NL(const BlockIQ4_NL* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        for (int j = 0; j < kQK / 2; ++j) {
            y[j] = d * static_cast<float>(kIq4nlValues[x[i].qs[j] & 0xF]);
            y[j + kQK / 2] = d * static_cast<float>(kIq4nlValues[x[i].qs[j] >> 4]);
        }
    }
}

void dequantIQ4_XS(const BlockIQ4_XS* x, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const float d = h2f(x[i].d);
        const uint8_t* qs = x[i].qs;
        for (int ib = 0; ib < kQK_K / 32; ++ib, qs += 16, y += 32) {
            const float dl = d * static_cast<float>(iq4xsScale(x[i], ib));
            for (int j = 0; j < 16; ++j) {
                y[j] = dl * static_cast<float>(kIq4nlValues[qs[j] & 0xF]);
                y[j + 16] = dl * static_cast<float>(kIq4nlValues[qs[j] >> 4]);
            }
        }
    }
}

template <typename Block>
const Block* as(const void* p) { return static_cast<const Block*>(p); }

} // namespace

bool canDequantize(TensorType type)
{
    switch (type) {
    case TensorType::F32: case TensorType::F16: case TensorType::BF16:
    case TensorType::Q4_0: case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1:
    case TensorType::Q8_0: case TensorType::Q8_1:
    case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K: case TensorType::Q5_K:
    case TensorType::Q6_K: case TensorType::Q8_K:
    case TensorType::IQ4_NL: case TensorType::IQ4_XS:
        return true;
    default:
        return false;
    }
}

void dequantizeRow(TensorType type, const void* src, float* dst, int64_t n)
{
    assert(canDequantize(type));
    assert(n % traits(type).blockSize == 0);
    const int64_t nb = n / traits(type).blockSize;
    switch (type) {
    case TensorType::F32:
        std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
        break;
    case TensorType::F16: {
        const auto* h = static_cast<const uint16_t*>(src);
        for (int64_t i = 0; i < n; ++i)
            dst[i] = detail::halfToFloat(h[i]);
        break;
    }
    case TensorType::BF16: {
        const auto* h = static_cast<const uint16_t*>(src);
        for (int64_t i = 0; i < n; ++i)
            dst[i] = detail::bfloatToFloat(h[i]);
        break;
    }
    case TensorType::Q4_0: dequantQ4_0(as<BlockQ4_0>(src), dst, nb); break;
    case TensorType::Q4_1: dequantQ4_1(as<BlockQ4_1>(src), dst, nb); break;
    case TensorType::Q5_0: dequantQ5_0(as<BlockQ5_0>(src), dst, nb); break;
    case TensorType::Q5_1: dequantQ5_1(as<BlockQ5_1>(src), dst, nb); break;
    case TensorType::Q8_0: dequantQ8_0(as<BlockQ8_0>(src), dst, nb); break;
    case TensorType::Q8_1: dequantQ8_1(as<BlockQ8_1>(src), dst, nb); break;
    case TensorType::Q2_K: dequantQ2_K(as<BlockQ2_K>(src), dst, nb); break;
    case TensorType::Q3_K: dequantQ3_K(as<BlockQ3_K>(src), dst, nb); break;
    case TensorType::Q4_K: dequantQ4_K(as<BlockQ4_K>(src), dst, nb); break;
    case TensorType::Q5_K: dequantQ5_K(as<BlockQ5_K>(src), dst, nb); break;
    case TensorType::Q6_K: dequantQ6_K(as<BlockQ6_K>(src), dst, nb); break;
    case TensorType::Q8_K: dequantQ8_K(as<BlockQ8_K>(src), dst, nb); break;
    case TensorType::IQ4_NL: dequantIQ4_NL(as<BlockIQ4_NL>(src), dst, nb); break;
    case TensorType::IQ4_XS: dequantIQ4_XS(as<BlockIQ4_XS>(src), dst, nb); break;
    default:
        break;
    }
}

} // namespace engine::quant
