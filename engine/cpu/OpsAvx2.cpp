// AVX2/FMA/F16C versions of the attention-path kernels (compiled with -mavx2 -mfma -mf16c,
// reached only through avx2VectorOps() after the CPU check).
#include "cpu/Ops.h"

#include "core/CpuFeatures.h"

#include <immintrin.h>

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

} // namespace

const VectorOps* avx2VectorOps()
{
    static const VectorOps ops{dotF32, dotF16, axpyF32, axpyF16, toF16};
    return cpuFeatures().hasAvx2Fma() ? &ops : nullptr;
}

} // namespace engine::cpu
