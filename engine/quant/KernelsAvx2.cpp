// AVX2/FMA/F16C kernels. This file is compiled with -mavx2 -mfma -mf16c and reached only
// through Kernels.cpp after the CPU check.
//
// Integer formats follow one pattern: a per-type decoder turns 32 weights into 32 bytes, which
// are multiplied with 32 int8 activations by maddubs (u8 x s8 -> pairs of int16) and widened
// with the block's scales by madd; the scales are applied in float once per block (32) or
// super-block (256). The per-type part is only the decoding; the loops are shared.

#include "quant/KernelsAvx2.h"
#include "quant/KernelsInternal.h"

#include <immintrin.h>

#include <cmath>
#include <cstring>

namespace engine::quant::detail {
namespace {

using namespace avx2;





// ---- activation conversion (bit-identical to the scalar reference) ----

inline __m256 absMax8(const float* x, int count)
{
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    for (int k = 0; k < count; k += 8)
        m = _mm256_max_ps(m, _mm256_andnot_ps(signBit, _mm256_loadu_ps(x + k)));
    return m;
}

inline float hmax(__m256 v)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

// 32 floats times id, rounded half to even, packed to 32 int8 in element order.
inline __m256i roundPack32(const float* x, __m256 id)
{
    const __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x), id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 8), id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 16), id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 24), id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    // packs work per 128-bit lane; the permute restores element order.
    const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
    return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

template <typename Block, bool WithSum>
void quantizeQ8Act(const float* x, Block* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        const float amax = hmax(absMax8(x, kQK));
        const float d = amax / 127.f;
        const float id = amax != 0.0f ? 127.f / amax : 0.0f;
        y[i].d = f32ToF16(d);
        const __m256i q = roundPack32(x, _mm256_set1_ps(id));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs), q);
        if constexpr (WithSum) {
            const int sum = hsumI32(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q), _mm256_set1_epi16(1)));
            y[i].s = f32ToF16(d * static_cast<float>(sum));
        }
    }
}

void quantizeQ8KAct(const float* x, BlockQ8_K* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
        const float amax = hmax(absMax8(x, kQK_K));
        if (amax == 0) {
            std::memset(&y[i], 0, sizeof(BlockQ8_K));
            continue;
        }
        // The signed value of the first element reaching amax, as the reference picks it.
        float max = 0;
        for (int j = 0; j < kQK_K; ++j)
            if (std::fabs(x[j]) == amax) {
                max = x[j];
                break;
            }
        const float iscale = -127.f / max;
        const __m256 vs = _mm256_set1_ps(iscale);
        for (int c = 0; c < kQK_K / 32; ++c) {
            const __m256i q = roundPack32(x + 32 * c, vs);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs + 32 * c), q);
            // Sums of each 16: widen to int16 and add pairs up.
            const __m256i lo = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(q));
            const __m256i hi = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(q, 1));
            const __m256i s32lo = _mm256_madd_epi16(lo, _mm256_set1_epi16(1));
            const __m256i s32hi = _mm256_madd_epi16(hi, _mm256_set1_epi16(1));
            y[i].bsums[2 * c] = static_cast<int16_t>(hsumI32(s32lo));
            y[i].bsums[2 * c + 1] = static_cast<int16_t>(hsumI32(s32hi));
        }
        y[i].d = 1 / iscale;
    }
}

} // namespace

VecDotFn avx2VecDot(TensorType weightType)
{
    switch (weightType) {
    case TensorType::F32: return dotFloat<LoadF32>;
    case TensorType::F16: return dotFloat<LoadF16>;
    case TensorType::BF16: return dotFloat<LoadBF16>;
    case TensorType::Q4_0: return dotSymmetric<DecodeQ4_0>;
    case TensorType::Q5_0: return dotSymmetric<DecodeQ5_0>;
    case TensorType::Q8_0: return dotSymmetric<DecodeQ8_0>;
    case TensorType::IQ4_NL: return dotSymmetric<DecodeIQ4_NL>;
    case TensorType::Q4_1: return dotWithMin<DecodeQ4_1>;
    case TensorType::Q5_1: return dotWithMin<DecodeQ5_1>;
    case TensorType::Q2_K: return dotSuper<DecodeQ2_K>;
    case TensorType::Q3_K: return dotSuper<DecodeQ3_K>;
    case TensorType::Q4_K: return dotSuper<DecodeQ4_K>;
    case TensorType::Q5_K: return dotSuper<DecodeQ5_K>;
    case TensorType::Q6_K: return dotSuper<DecodeQ6_K>;
    case TensorType::IQ4_XS: return dotSuper<DecodeIQ4_XS>;
    default: return nullptr;
    }
}

bool avx2QuantizeActivations(TensorType weightType, const float* x, void* dst, int64_t n)
{
    switch (activationType(weightType)) {
    case TensorType::Q8_0:
        quantizeQ8Act<BlockQ8_0, false>(x, static_cast<BlockQ8_0*>(dst), n / kQK);
        return true;
    case TensorType::Q8_1:
        quantizeQ8Act<BlockQ8_1, true>(x, static_cast<BlockQ8_1*>(dst), n / kQK);
        return true;
    case TensorType::Q8_K:
        quantizeQ8KAct(x, static_cast<BlockQ8_K*>(dst), n / kQK_K);
        return true;
    case TensorType::F16: {
        // vcvtps2ph rounds as f32ToF16 does; only NaN payloads may differ (the scalar path
        // writes ggml's canonical 0x7E00), which no dot product can tell apart.
        auto* h = static_cast<uint16_t*>(dst);
        int64_t i = 0;
        for (; i + 8 <= n; i += 8)
            _mm_storeu_si128(reinterpret_cast<__m128i*>(h + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
        for (; i < n; ++i)
            h[i] = f32ToF16(x[i]);
        return true;
    }
    default:
        return false;
    }
}

} // namespace engine::quant::detail
