// AVX2/FMA/F16C versions of the attention-path kernels (compiled with -mavx2 -mfma -mf16c,
// reached only through avx2VectorOps() after the CPU check).
#include "cpu/Ops.h"

#include "core/CpuFeatures.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace engine::cpu {

namespace {

float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

float dotF32(const float* a, const float* b, int n)
{
    __m256 acc0 = _mm256_setzero_ps();
    __m256 acc1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    float sum = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i)
        sum += a[i] * b[i];
    return sum;
}

__m256 loadF16(const uint16_t* p)
{
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

float scalarF16(uint16_t h)
{
    return _cvtsh_ss(h);
}

float dotF16(const uint16_t* a, const uint16_t* b, int n)
{
    __m256 acc0 = _mm256_setzero_ps();
    __m256 acc1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(loadF16(a + i), loadF16(b + i), acc0);
        acc1 = _mm256_fmadd_ps(loadF16(a + i + 8), loadF16(b + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(loadF16(a + i), loadF16(b + i), acc0);
    float sum = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i)
        sum += scalarF16(a[i]) * scalarF16(b[i]);
    return sum;
}

void axpyF32(float a, const float* x, float* y, int n)
{
    const __m256 va = _mm256_set1_ps(a);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i)
        y[i] += a * x[i];
}

void axpyF16(float a, const uint16_t* x, float* y, int n)
{
    const __m256 va = _mm256_set1_ps(a);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, loadF16(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i)
        y[i] += a * scalarF16(x[i]);
}

void toF16(const float* x, uint16_t* y, int n)
{
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i)
        y[i] = _cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
}

// Four keys at a time: the query is loaded once for four dot products, and the four sums are
// reduced together.
void scoresF16(const uint16_t* q, const uint16_t* k, size_t kStride, int count, int n, float* scores)
{
    const int vec = n / 8 * 8;
    int j = 0;
    for (; j + 4 <= count; j += 4) {
        const uint16_t* k0 = k + static_cast<size_t>(j) * kStride;
        const uint16_t* k1 = k0 + kStride;
        const uint16_t* k2 = k1 + kStride;
        const uint16_t* k3 = k2 + kStride;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        for (int i = 0; i < vec; i += 8) {
            const __m256 x = loadF16(q + i);
            a0 = _mm256_fmadd_ps(x, loadF16(k0 + i), a0);
            a1 = _mm256_fmadd_ps(x, loadF16(k1 + i), a1);
            a2 = _mm256_fmadd_ps(x, loadF16(k2 + i), a2);
            a3 = _mm256_fmadd_ps(x, loadF16(k3 + i), a3);
        }
        const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
        __m128 sum = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
        if (vec < n) {
            alignas(16) float tail[4] = {};
            for (int i = vec; i < n; ++i) {
                const float x = scalarF16(q[i]);
                tail[0] += x * scalarF16(k0[i]);
                tail[1] += x * scalarF16(k1[i]);
                tail[2] += x * scalarF16(k2[i]);
                tail[3] += x * scalarF16(k3[i]);
            }
            sum = _mm_add_ps(sum, _mm_load_ps(tail));
        }
        _mm_storeu_ps(scores + j, sum);
    }
    for (; j < count; ++j)
        scores[j] = dotF16(q, k + static_cast<size_t>(j) * kStride, n);
}

// The output stays in registers (64 values at a time) while the keys stream past.
void weightedSumF16(const float* p, const uint16_t* v, size_t vStride, int count, int n, float* out)
{
    constexpr int kSpan = 64;
    for (int d0 = 0; d0 < n; d0 += kSpan) {
        const int span = std::min(kSpan, n - d0);
        const int lanes = span / 8;
        __m256 acc[kSpan / 8];
        for (int k = 0; k < kSpan / 8; ++k)
            acc[k] = _mm256_setzero_ps();
        float tail[8] = {};
        for (int j = 0; j < count; ++j) {
            const float w = _cvtsh_ss(_cvtss_sh(p[j], _MM_FROUND_TO_NEAREST_INT));
            if (w == 0.0f)
                continue;
            const __m256 vw = _mm256_set1_ps(w);
            const uint16_t* row = v + static_cast<size_t>(j) * vStride + d0;
            for (int k = 0; k < lanes; ++k)
                acc[k] = _mm256_fmadd_ps(vw, loadF16(row + 8 * k), acc[k]);
            for (int i = 8 * lanes; i < span; ++i)
                tail[i - 8 * lanes] += w * scalarF16(row[i]);
        }
        for (int k = 0; k < lanes; ++k)
            _mm256_storeu_ps(out + d0 + 8 * k, acc[k]);
        for (int i = 8 * lanes; i < span; ++i)
            out[d0 + i] = tail[i - 8 * lanes];
    }
}

// e^x for 8 lanes: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two for an exact product),
// e^r by its degree-6 Taylor polynomial (relative error below 2e-7 on that interval), 2^n put
// into the exponent bits. Below −87.3365 (where expf turns subnormal) the result is 0 (softmax's masked and far-off scores),
// above 88.7228 +inf, as expf gives.
__m256 exp8(__m256 x)
{
    const __m256 tooSmall = _mm256_cmp_ps(x, _mm256_set1_ps(-87.3365f), _CMP_LT_OQ);
    const __m256 tooLarge = _mm256_cmp_ps(x, _mm256_set1_ps(88.7228f), _CMP_GT_OQ);
    const __m256 xc = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3365f)), _mm256_set1_ps(88.7228f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), xc);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187e-06f), r);
    __m256 p = _mm256_set1_ps(1.0f / 720.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    // n reaches 128 only just below the overflow bound: scale by 2^(n−1) twice there.
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i half = _mm256_srai_epi32(ni, 1);
    const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, _mm256_set1_epi32(127)), 23));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, half), _mm256_set1_epi32(127)), 23));
    const __m256 result = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
    return _mm256_blendv_ps(_mm256_andnot_ps(tooSmall, result), _mm256_set1_ps(__builtin_inff()), tooLarge);
}

double expShifted(float* x, int n, float shift)
{
    const __m256 vs = _mm256_set1_ps(shift);
    __m256d sum0 = _mm256_setzero_pd(), sum1 = _mm256_setzero_pd();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vs));
        _mm256_storeu_ps(x + i, e);
        sum0 = _mm256_add_pd(sum0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        sum1 = _mm256_add_pd(sum1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, _mm256_add_pd(sum0, sum1));
    double sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    if (i < n) {
        alignas(32) float tail[8];
        for (int k = 0; k < 8; ++k)
            tail[k] = i + k < n ? x[i + k] - shift : -__builtin_inff();
        _mm256_store_ps(tail, exp8(_mm256_load_ps(tail)));
        for (int k = 0; i + k < n; ++k) {
            x[i + k] = tail[k];
            sum += tail[k];
        }
    }
    return sum;
}

void siluMul(float* gate, const float* up, int n)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 x = _mm256_loadu_ps(gate + i);
        __m256 g = _mm256_div_ps(x, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
        if (up)
            g = _mm256_mul_ps(g, _mm256_loadu_ps(up + i));
        _mm256_storeu_ps(gate + i, g);
    }
    for (; i < n; ++i) {
        const float g = gate[i] / (1.0f + std::exp(-gate[i]));
        gate[i] = up ? g * up[i] : g;
    }
}

float maxOf(const float* x, int n)
{
    // maxps returns its second operand when either is NaN: the running maximum survives a NaN.
    __m256 m0 = _mm256_set1_ps(-__builtin_inff()), m1 = m0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        m0 = _mm256_max_ps(_mm256_loadu_ps(x + i), m0);
        m1 = _mm256_max_ps(_mm256_loadu_ps(x + i + 8), m1);
    }
    for (; i + 8 <= n; i += 8)
        m0 = _mm256_max_ps(_mm256_loadu_ps(x + i), m0);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, _mm256_max_ps(m0, m1));
    float max = lanes[0];
    for (int k = 1; k < 8; ++k)
        max = std::max(max, lanes[k]);
    for (; i < n; ++i)
        max = std::max(max, x[i]);
    return max;
}

// H heads × L vectors of 8 dims: each value vector converted once, then H multiply-adds.
template <int H, int L>
void weightedSumHeadsBlock(const float* p, size_t pStride, const uint16_t* v, size_t vStride, int count, float* out, size_t outStride)
{
    __m256 acc[H][L];
    for (int g = 0; g < H; ++g)
        for (int l = 0; l < L; ++l)
            acc[g][l] = _mm256_setzero_ps();
    for (int j = 0; j < count; ++j) {
        const uint16_t* row = v + static_cast<size_t>(j) * vStride;
        __m256 x[L];
        for (int l = 0; l < L; ++l)
            x[l] = loadF16(row + 8 * l);
        for (int g = 0; g < H; ++g) {
            const __m256 w = _mm256_broadcast_ss(p + static_cast<size_t>(g) * pStride + j);
            for (int l = 0; l < L; ++l)
                acc[g][l] = _mm256_fmadd_ps(w, x[l], acc[g][l]);
        }
    }
    for (int g = 0; g < H; ++g)
        for (int l = 0; l < L; ++l)
            _mm256_storeu_ps(out + static_cast<size_t>(g) * outStride + 8 * l, acc[g][l]);
}

template <int L>
void weightedSumHeadsSpan(const float* p, size_t pStride, int heads, const uint16_t* v, size_t vStride, int count, float* out,
                          size_t outStride)
{
    // At most 6 heads × 2 vectors: 12 accumulators, 2 values and a broadcast in 16 registers.
    constexpr int kMaxHeads = 6;
    int g = 0;
    for (; g + kMaxHeads <= heads; g += kMaxHeads)
        weightedSumHeadsBlock<kMaxHeads, L>(p + g * pStride, pStride, v, vStride, count, out + g * outStride, outStride);
    auto rest = [&](auto h) {
        weightedSumHeadsBlock<decltype(h)::value, L>(p + g * pStride, pStride, v, vStride, count, out + g * outStride, outStride);
    };
    switch (heads - g) {
    case 1: rest(std::integral_constant<int, 1>{}); break;
    case 2: rest(std::integral_constant<int, 2>{}); break;
    case 3: rest(std::integral_constant<int, 3>{}); break;
    case 4: rest(std::integral_constant<int, 4>{}); break;
    case 5: rest(std::integral_constant<int, 5>{}); break;
    default: break;
    }
}

void weightedSumF16Heads(const float* p, size_t pStride, int heads, const uint16_t* v, size_t vStride, int count, int n, float* out,
                         size_t outStride)
{
    int d = 0;
    for (; d + 16 <= n; d += 16)
        weightedSumHeadsSpan<2>(p, pStride, heads, v + d, vStride, count, out + d, outStride);
    for (; d + 8 <= n; d += 8)
        weightedSumHeadsSpan<1>(p, pStride, heads, v + d, vStride, count, out + d, outStride);
    for (; d < n; ++d)
        for (int g = 0; g < heads; ++g) {
            float sum = 0.0f;
            for (int j = 0; j < count; ++j)
                sum += p[static_cast<size_t>(g) * pStride + j] * scalarF16(v[static_cast<size_t>(j) * vStride + d]);
            out[static_cast<size_t>(g) * outStride + d] = sum;
        }
}

} // namespace

const VectorOps* avx2VectorOps()
{
    static const VectorOps ops{dotF32, dotF16, axpyF32, axpyF16, toF16, scoresF16, weightedSumF16, expShifted, siluMul, maxOf, weightedSumF16Heads};
    return cpuFeatures().hasAvx2Fma() ? &ops : nullptr;
}

} // namespace engine::cpu
