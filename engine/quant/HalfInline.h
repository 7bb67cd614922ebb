#pragma once
// Inline forms of the f16/bf16 conversions of Quant.h, for the per-element loops of this folder
// (a call per element costs more than the conversion). Same results as f16ToF32 and friends,
// which are defined with these.

#include <cstdint>
#include <cstring>

namespace engine::quant::detail {

inline float floatFromBits(uint32_t u)
{
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

inline uint32_t bitsFromFloat(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

inline float halfToFloat(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    const uint32_t exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FF;
    if (exponent == 0x1F) // inf or NaN: keep the payload
        return floatFromBits(sign | 0x7F800000 | (mantissa << 13));
    if (exponent != 0)
        return floatFromBits(sign | ((exponent + 112) << 23) | (mantissa << 13));
    if (mantissa == 0)
        return floatFromBits(sign);
    // Subnormal half: normalise into a float.
    uint32_t e = 113;
    while ((mantissa & 0x400) == 0) {
        mantissa <<= 1;
        --e;
    }
    return floatFromBits(sign | (e << 23) | ((mantissa & 0x3FF) << 13));
}

inline float bfloatToFloat(uint16_t h)
{
    return floatFromBits(static_cast<uint32_t>(h) << 16);
}

} // namespace engine::quant::detail
