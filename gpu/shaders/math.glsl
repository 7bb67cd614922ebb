// Scalar helpers shared by the elementwise and attention shaders.

// tanh(u) = 1 - 2 / (e^(2u) + 1): finite for large |u|, where some drivers' tanh() returns NaN.
float safeTanh(float u)
{
    return 1.0 - 2.0 / (exp(2.0 * u) + 1.0);
}

// x rounded to the nearest f16 value (ties to even), returned as f32. Integer arithmetic, so it
// needs no float16 support and rounds the same way on every device (packHalf2x16 may truncate).
// Finite |x| < 65504 only (callers stay far below).
float roundToF16(float x)
{
    const uint u = floatBitsToUint(x);
    const uint sign = u & 0x80000000u;
    uint a = u & 0x7fffffffu;
    if (a < 0x38800000u) { // below f16's smallest normal 2^-14: a multiple of 2^-24
        const float q = 5.9604644775390625e-8;
        return uintBitsToFloat(sign | floatBitsToUint(roundEven(uintBitsToFloat(a) / q) * q));
    }
    a = (a + 0x0fffu + ((a >> 13) & 1u)) & ~0x1fffu; // keep 10 mantissa bits
    return uintBitsToFloat(sign | a);
}
