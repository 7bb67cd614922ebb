// Scalar reference dot products, one per weight type, sharing the block loops: a weight block is
// unpacked into small integers by a per-type decoder, and the shared loop does the integer dot
// product with the quantized activations and applies the scales as ggml's reference vec_dot
// does (integer sums per block, float accumulation across blocks).

#include "quant/Blocks.h"
#include "quant/KernelsInternal.h"
#include "quant/HalfInline.h"
#include "quant/Quant.h"
#include "quant/QuantizeHelpers.h"
#include "quant/QuantizeInternal.h"

#include <cmath>
#include <cstring>

namespace engine::quant::detail {
namespace {

inline float h2f(Half h) { return halfToFloat(h); }

inline int dot32(const int8_t* a, const int8_t* b)
{
    int s = 0;
    for (int j = 0; j < kQK; ++j)
        s += a[j] * b[j];
    return s;
}

// ---- 32-element formats against Q8_0 (symmetric) or Q8_1 (with min) ----

// Unpack: element j of the block as a small integer (signed for the symmetric formats).
void unpack(const BlockQ4_0& b, int8_t* q)
{
    for (int j = 0; j < 16; ++j) {
        q[j] = static_cast<int8_t>((b.qs[j] & 0xF) - 8);
        q[j + 16] = static_cast<int8_t>((b.qs[j] >> 4) - 8);
    }
}
void unpack(const BlockQ4_1& b, int8_t* q)
{
    for (int j = 0; j < 16; ++j) {
        q[j] = static_cast<int8_t>(b.qs[j] & 0xF);
        q[j + 16] = static_cast<int8_t>(b.qs[j] >> 4);
    }
}
template <typename Block>
void unpackQ5(const Block& b, int8_t* q, int offset)
{
    uint32_t qh;
    std::memcpy(&qh, b.qh, sizeof qh);
    for (int j = 0; j < 16; ++j) {
        q[j] = static_cast<int8_t>(((b.qs[j] & 0xF) | (((qh >> j) & 1) << 4)) - offset);
        q[j + 16] = static_cast<int8_t>(((b.qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - offset);
    }
}
void unpack(const BlockQ5_0& b, int8_t* q) { unpackQ5(b, q, 16); }
void unpack(const BlockQ5_1& b, int8_t* q) { unpackQ5(b, q, 0); }
void unpack(const BlockQ8_0& b, int8_t* q) { std::memcpy(q, b.qs, kQK); }
void unpack(const BlockIQ4_NL& b, int8_t* q)
{
    for (int j = 0; j < 16; ++j) {
        q[j] = kIq4nlValues[b.qs[j] & 0xF];
        q[j + 16] = kIq4nlValues[b.qs[j] >> 4];
    }
}

template <typename Block>
void dotSymmetric(int64_t n, float* out, const void* vx, const void* vy)
{
    const auto* x = static_cast<const Block*>(vx);
    const auto* y = static_cast<const BlockQ8_0*>(vy);
    const int64_t nb = n / kQK;
    int8_t q[kQK];
    float sum = 0;
    for (int64_t i = 0; i < nb; ++i) {
        unpack(x[i], q);
        sum += static_cast<float>(dot32(q, y[i].qs)) * (h2f(x[i].d) * h2f(y[i].d));
    }
    *out = sum;
}

template <typename Block>
void dotWithMin(int64_t n, float* out, const void* vx, const void* vy)
{
    const auto* x = static_cast<const Block*>(vx);
    const auto* y = static_cast<const BlockQ8_1*>(vy);
    const int64_t nb = n / kQK;
    int8_t q[kQK];
    float sum = 0;
    for (int64_t i = 0; i < nb; ++i) {
        unpack(x[i], q);
        const int isum = dot32(q, y[i].qs);
        sum += (h2f(x[i].d) * h2f(y[i].d)) * static_cast<float>(isum) + h2f(x[i].m) * h2f(y[i].s);
    }
    *out = sum;
}

// ---- super-block formats against Q8_K ----
// A decoder fills the 256 quants (int8), the scale of each of `kSub` sub-blocks, and for the
// formats with mins the min of each sub-block (in units of dmin). The shared loop computes
// d * y.d * sum(scale * dot) - dmin * y.d * sum(min * bsum).

struct SuperBlock {
    int8_t q[kQK_K];
    int scales[16];
    int mins[16];
    int subSize = 16;     // elements per scale
    float d = 0;
    float dmin = 0;       // 0 for the symmetric formats
};

void decode(const BlockQ2_K& b, SuperBlock& s)
{
    s.subSize = 16;
    s.d = h2f(b.d);
    s.dmin = h2f(b.dmin);
    for (int j = 0; j < 16; ++j) {
        s.scales[j] = b.scales[j] & 0xF;
        s.mins[j] = b.scales[j] >> 4;
    }
    for (int n = 0; n < 2; ++n)
        for (int shift = 0; shift < 4; ++shift)
            for (int l = 0; l < 32; ++l)
                s.q[n * 128 + shift * 32 + l] = static_cast<int8_t>((b.qs[n * 32 + l] >> (2 * shift)) & 3);
}

void decode(const BlockQ3_K& b, SuperBlock& s)
{
    s.subSize = 16;
    s.d = h2f(b.d);
    s.dmin = 0;
    int8_t sc[16];
    q3kScales(b.scales, sc);
    for (int j = 0; j < 16; ++j)
        s.scales[j] = sc[j];
    for (int n = 0; n < 2; ++n)
        for (int shift = 0; shift < 4; ++shift)
            for (int l = 0; l < 32; ++l) {
                const int k = n * 128 + shift * 32 + l;
                const int low = (b.qs[n * 32 + l] >> (2 * shift)) & 3;
                const bool high = (b.hmask[l] >> (n * 4 + shift)) & 1;
                s.q[k] = static_cast<int8_t>(low - (high ? 0 : 4));
            }
}

template <typename Block>
void decodeScaleMin(const Block& b, SuperBlock& s)
{
    s.subSize = 32;
    s.d = h2f(b.d);
    s.dmin = h2f(b.dmin);
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        kScaleMin(j, b.scales, sc, m);
        s.scales[j] = sc;
        s.mins[j] = m;
    }
}

void decode(const BlockQ4_K& b, SuperBlock& s)
{
    decodeScaleMin(b, s);
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < 32; ++l) {
            s.q[64 * j + l] = static_cast<int8_t>(b.qs[32 * j + l] & 0xF);
            s.q[64 * j + 32 + l] = static_cast<int8_t>(b.qs[32 * j + l] >> 4);
        }
}

void decode(const BlockQ5_K& b, SuperBlock& s)
{
    decodeScaleMin(b, s);
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < 32; ++l) {
            const int h1 = (b.qh[l] >> (2 * j)) & 1;
            const int h2 = (b.qh[l] >> (2 * j + 1)) & 1;
            s.q[64 * j + l] = static_cast<int8_t>((b.qs[32 * j + l] & 0xF) | (h1 << 4));
            s.q[64 * j + 32 + l] = static_cast<int8_t>((b.qs[32 * j + l] >> 4) | (h2 << 4));
        }
}

void decode(const BlockQ6_K& b, SuperBlock& s)
{
    s.subSize = 16;
    s.d = h2f(b.d);
    s.dmin = 0;
    for (int j = 0; j < 16; ++j)
        s.scales[j] = b.scales[j];
    for (int n = 0; n < 2; ++n) {
        const uint8_t* ql = b.ql + 64 * n;
        const uint8_t* qh = b.qh + 32 * n;
        int8_t* q = s.q + 128 * n;
        for (int l = 0; l < 32; ++l) {
            q[l] = static_cast<int8_t>(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
            q[l + 32] = static_cast<int8_t>(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
            q[l + 64] = static_cast<int8_t>(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
            q[l + 96] = static_cast<int8_t>(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
        }
    }
}

void decode(const BlockIQ4_XS& b, SuperBlock& s)
{
    s.subSize = 32;
    s.d = h2f(b.d);
    s.dmin = 0;
    for (int ib = 0; ib < 8; ++ib) {
        s.scales[ib] = iq4xsScale(b, ib);
        for (int j = 0; j < 16; ++j) {
            s.q[32 * ib + j] = kIq4nlValues[b.qs[16 * ib + j] & 0xF];
            s.q[32 * ib + 16 + j] = kIq4nlValues[b.qs[16 * ib + j] >> 4];
        }
    }
}

template <typename Block>
void dotSuper(int64_t n, float* out, const void* vx, const void* vy)
{
    const auto* x = static_cast<const Block*>(vx);
    const auto* y = static_cast<const BlockQ8_K*>(vy);
    const int64_t nb = n / kQK_K;
    SuperBlock s;
    float sum = 0;
    for (int64_t i = 0; i < nb; ++i) {
        decode(x[i], s);
        const int nSub = kQK_K / s.subSize;
        int isum = 0;
        for (int j = 0; j < nSub; ++j) {
            int dot = 0;
            for (int l = 0; l < s.subSize; ++l)
                dot += s.q[j * s.subSize + l] * y[i].qs[j * s.subSize + l];
            isum += s.scales[j] * dot;
        }
        sum += s.d * y[i].d * static_cast<float>(isum);
        if (s.dmin != 0) {
            // bsums are per 16 elements; a sub-block of 32 covers two of them.
            int msum = 0;
            for (int k = 0; k < kQK_K / 16; ++k)
                msum += s.mins[k * 16 / s.subSize] * y[i].bsums[k];
            sum -= s.dmin * y[i].d * static_cast<float>(msum);
        }
    }
    *out = sum;
}

// ---- plain float formats: products in float, sum in double (ggml_float) ----

template <float (*Convert)(uint16_t)>
void dotHalf(int64_t n, float* out, const void* vx, const void* vy)
{
    const auto* x = static_cast<const uint16_t*>(vx);
    const auto* y = static_cast<const uint16_t*>(vy);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
        sum += static_cast<double>(Convert(x[i]) * Convert(y[i]));
    *out = static_cast<float>(sum);
}

void dotF32(int64_t n, float* out, const void* vx, const void* vy)
{
    const auto* x = static_cast<const float*>(vx);
    const auto* y = static_cast<const float*>(vy);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
        sum += static_cast<double>(x[i] * y[i]);
    *out = static_cast<float>(sum);
}

// ggml-cpu's AVX2 quantize_row_q8_0/q8_1: scale 127 / amax, round half to even. (The _ref
// variant divides by d and rounds half away from zero; llama.cpp's CPU backend uses this one.)
template <typename Block, bool WithSum>
void quantizeQ8Act(const float* x, Block* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float amax = 0.0f;
        for (int j = 0; j < kQK; ++j)
            amax = std::fmax(amax, std::fabs(x[j]));
        const float d = amax / 127.f;
        const float id = amax != 0.0f ? 127.f / amax : 0.0f;
        y[i].d = f32ToF16(d);
        int sum = 0;
        for (int j = 0; j < kQK; ++j) {
            y[i].qs[j] = static_cast<int8_t>(nearestInt(x[j] * id));
            sum += y[i].qs[j];
        }
        if constexpr (WithSum)
            y[i].s = f32ToF16(d * static_cast<float>(sum));
    }
}

template <TensorType Type>
void tileScalar(int64_t n, int64_t nRows, int64_t nCols, const void* weights, size_t weightStride, const void* acts,
                size_t actStride, float* out, size_t outStride)
{
    const VecDotFn dot = scalarVecDot(Type);
    const auto* w = static_cast<const uint8_t*>(weights);
    const auto* a = static_cast<const uint8_t*>(acts);
    for (int64_t c = 0; c < nCols; ++c)
        for (int64_t r = 0; r < nRows; ++r)
            dot(n, out + c * static_cast<int64_t>(outStride) + r, w + r * static_cast<int64_t>(weightStride),
                a + c * static_cast<int64_t>(actStride));
}

} // namespace

MatMulTileFn scalarMatMulTile(TensorType weightType)
{
    switch (weightType) {
    case TensorType::F32: return tileScalar<TensorType::F32>;
    case TensorType::F16: return tileScalar<TensorType::F16>;
    case TensorType::BF16: return tileScalar<TensorType::BF16>;
    case TensorType::Q4_0: return tileScalar<TensorType::Q4_0>;
    case TensorType::Q5_0: return tileScalar<TensorType::Q5_0>;
    case TensorType::Q8_0: return tileScalar<TensorType::Q8_0>;
    case TensorType::IQ4_NL: return tileScalar<TensorType::IQ4_NL>;
    case TensorType::Q4_1: return tileScalar<TensorType::Q4_1>;
    case TensorType::Q5_1: return tileScalar<TensorType::Q5_1>;
    case TensorType::Q2_K: return tileScalar<TensorType::Q2_K>;
    case TensorType::Q3_K: return tileScalar<TensorType::Q3_K>;
    case TensorType::Q4_K: return tileScalar<TensorType::Q4_K>;
    case TensorType::Q5_K: return tileScalar<TensorType::Q5_K>;
    case TensorType::Q6_K: return tileScalar<TensorType::Q6_K>;
    case TensorType::IQ4_XS: return tileScalar<TensorType::IQ4_XS>;
    default: return nullptr;
    }
}

VecDotFn scalarVecDot(TensorType weightType)
{
    switch (weightType) {
    case TensorType::F32: return dotF32;
    case TensorType::F16: return dotHalf<halfToFloat>;
    case TensorType::BF16: return dotHalf<bfloatToFloat>;
    case TensorType::Q4_0: return dotSymmetric<BlockQ4_0>;
    case TensorType::Q5_0: return dotSymmetric<BlockQ5_0>;
    case TensorType::Q8_0: return dotSymmetric<BlockQ8_0>;
    case TensorType::IQ4_NL: return dotSymmetric<BlockIQ4_NL>;
    case TensorType::Q4_1: return dotWithMin<BlockQ4_1>;
    case TensorType::Q5_1: return dotWithMin<BlockQ5_1>;
    case TensorType::Q2_K: return dotSuper<BlockQ2_K>;
    case TensorType::Q3_K: return dotSuper<BlockQ3_K>;
    case TensorType::Q4_K: return dotSuper<BlockQ4_K>;
    case TensorType::Q5_K: return dotSuper<BlockQ5_K>;
    case TensorType::Q6_K: return dotSuper<BlockQ6_K>;
    case TensorType::IQ4_XS: return dotSuper<BlockIQ4_XS>;
    default: return nullptr;
    }
}

void scalarQuantizeActivations(TensorType weightType, const float* x, void* dst, int64_t n)
{
    switch (activationType(weightType)) {
    case TensorType::Q8_0:
        quantizeQ8Act<BlockQ8_0, false>(x, static_cast<BlockQ8_0*>(dst), n / kQK);
        break;
    case TensorType::Q8_1:
        quantizeQ8Act<BlockQ8_1, true>(x, static_cast<BlockQ8_1*>(dst), n / kQK);
        break;
    case TensorType::Q8_K:
        quantizeQ8_K(x, static_cast<BlockQ8_K*>(dst), n / kQK_K);
        break;
    case TensorType::F16:
    case TensorType::BF16:
    case TensorType::F32:
        quantizeRow(activationType(weightType), x, dst, n);
        break;
    default:
        break;
    }
}

} // namespace engine::quant::detail
