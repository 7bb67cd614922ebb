// IEEE binary16 and bfloat16 conversions. Integer-only, so the result does not depend on the
// floating-point environment; rounding is to nearest, ties to even, as ggml's converters (and
// the F16C instructions) do.

#include "quant/Quant.h"

#include "quant/HalfInline.h"

#include <cstring>

namespace engine::quant {
namespace {

uint32_t bitsOf(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}


} // namespace

float f16ToF32(uint16_t h)
{
    return detail::halfToFloat(h);
}

uint16_t f32ToF16(float f)
{
    const uint32_t x = bitsOf(f);
    const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
    const uint32_t ax = x & 0x7FFFFFFF;
    if (ax > 0x7F800000) // NaN: ggml returns this canonical quiet NaN
        return sign | 0x7E00;
    if (ax >= 0x477FF000) // >= 65520 rounds to infinity
        return sign | 0x7C00;
    if (ax >= 0x38800000) { // normal half range
        const uint32_t rounded = ax + 0xFFF + ((ax >> 13) & 1);
        return static_cast<uint16_t>(sign | ((rounded - 0x38000000) >> 13));
    }
    // Subnormal half: value / 2^-24, rounded to nearest even.
    const uint32_t e = ax >> 23;
    if (e < 102) // below 2^-25: rounds to zero
        return sign;
    const uint32_t m = (ax & 0x7FFFFF) | 0x800000;
    const uint32_t shift = 126 - e; // 14..24
    uint32_t q = m >> shift;
    const uint32_t rest = m & ((1u << shift) - 1);
    const uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (q & 1)))
        ++q;
    return static_cast<uint16_t>(sign | q);
}

float bf16ToF32(uint16_t h)
{
    return detail::bfloatToFloat(h);
}

uint16_t f32ToBf16(float f)
{
    const uint32_t u = bitsOf(f);
    if ((u & 0x7FFFFFFF) > 0x7F800000) // NaN: keep it a quiet NaN
        return static_cast<uint16_t>((u >> 16) | 64);
    return static_cast<uint16_t>((u + (0x7FFF + ((u >> 16) & 1))) >> 16);
}

} // namespace engine::quant
