// Per-type weight access, selected by one DATA_A_<TYPE> define. Declares the weight buffer
// `data_a` at binding 0 and, for every type, the same function:
//
//   vec4 dequant4(uint ib, uint iqs)
//     block types (QUANT_K > 1): elements iqs..iqs+3 of block ib (iqs a multiple of 4);
//     plain types (QUANT_K == 1): elements ib+iqs .. ib+iqs+3 of the flat array.
//   float dequant1(uint i): element i (plain types only, for odd row tails).
//
// Block layouts are ggml's (ggml-common.h), read through 8/16-bit storage: the structs' std430
// sizes equal the GGUF block sizes (checked in C++ against quant::traits).

#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_8bit_storage : require

#if defined(DATA_A_F32)
#define QUANT_K 1
#define A_TYPE float
#elif defined(DATA_A_F16)
#define QUANT_K 1
#define A_TYPE float16_t
#elif defined(DATA_A_BF16)
#define QUANT_K 1
#define A_TYPE uint16_t
#elif defined(DATA_A_Q4_0) || defined(DATA_A_IQ4_NL)
#define QUANT_K 32
struct block_q4_0 { float16_t d; uint8_t qs[16]; };
#define A_TYPE block_q4_0
#elif defined(DATA_A_Q4_1)
#define QUANT_K 32
struct block_q4_1 { f16vec2 dm; uint8_t qs[16]; };
#define A_TYPE block_q4_1
#elif defined(DATA_A_Q5_0)
#define QUANT_K 32
struct block_q5_0 { float16_t d; uint16_t qh[2]; uint8_t qs[16]; };
#define A_TYPE block_q5_0
#elif defined(DATA_A_Q5_1)
#define QUANT_K 32
struct block_q5_1 { f16vec2 dm; uint qh; uint8_t qs[16]; };
#define A_TYPE block_q5_1
#elif defined(DATA_A_Q8_0)
#define QUANT_K 32
struct block_q8_0 { float16_t d; int8_t qs[32]; };
#define A_TYPE block_q8_0
#elif defined(DATA_A_Q2_K)
#define QUANT_K 256
struct block_q2_k { uint8_t scales[16]; uint8_t qs[64]; f16vec2 dm; };
#define A_TYPE block_q2_k
#elif defined(DATA_A_Q3_K)
#define QUANT_K 256
struct block_q3_k { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; float16_t d; };
#define A_TYPE block_q3_k
#elif defined(DATA_A_Q4_K)
#define QUANT_K 256
struct block_q4_k { f16vec2 dm; uint8_t scales[12]; uint8_t qs[128]; };
#define A_TYPE block_q4_k
#elif defined(DATA_A_Q5_K)
#define QUANT_K 256
struct block_q5_k { f16vec2 dm; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; };
#define A_TYPE block_q5_k
#elif defined(DATA_A_Q6_K)
#define QUANT_K 256
struct block_q6_k { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; float16_t d; };
#define A_TYPE block_q6_k
#else
#error "define one DATA_A_<TYPE>"
#endif

layout(binding = 0, std430) readonly buffer A { A_TYPE data_a[]; };

#if QUANT_K == 1

float dequant1(uint i)
{
#if defined(DATA_A_BF16)
    return uintBitsToFloat(uint(data_a[i]) << 16);
#else
    return float(data_a[i]);
#endif
}

vec4 dequant4(uint ib, uint iqs)
{
    const uint i = ib + iqs;
    return vec4(dequant1(i), dequant1(i + 1), dequant1(i + 2), dequant1(i + 3));
}

#elif defined(DATA_A_Q4_0) || defined(DATA_A_Q4_1) || defined(DATA_A_Q5_0) || defined(DATA_A_Q5_1) || defined(DATA_A_IQ4_NL)

// Element j < 16 is the low nibble of qs[j], element j + 16 the high nibble.
uvec4 nibbles(uint ib, uint iqs)
{
    const uint j = iqs & 15u;
    const uint shift = (iqs >> 4) * 4u;
    return (uvec4(data_a[ib].qs[j], data_a[ib].qs[j + 1], data_a[ib].qs[j + 2], data_a[ib].qs[j + 3]) >> shift) & 15u;
}

#if defined(DATA_A_IQ4_NL)
const float kvalues_iq4nl[16] = float[16](-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0,
                                          1.0, 13.0, 25.0, 38.0, 53.0, 69.0, 89.0, 113.0);
#endif

vec4 dequant4(uint ib, uint iqs)
{
    const uvec4 q = nibbles(ib, iqs);
#if defined(DATA_A_Q4_0)
    return (vec4(q) - 8.0) * float(data_a[ib].d);
#elif defined(DATA_A_IQ4_NL)
    return vec4(kvalues_iq4nl[q.x], kvalues_iq4nl[q.y], kvalues_iq4nl[q.z], kvalues_iq4nl[q.w]) * float(data_a[ib].d);
#elif defined(DATA_A_Q4_1)
    const vec2 dm = vec2(data_a[ib].dm);
    return vec4(q) * dm.x + dm.y;
#else
    // Q5: bit e of qh is the fifth bit of element e.
#if defined(DATA_A_Q5_0)
    const uint qh = uint(data_a[ib].qh[0]) | (uint(data_a[ib].qh[1]) << 16);
#else
    const uint qh = data_a[ib].qh;
#endif
    const uvec4 hi = ((uvec4(qh) >> (uvec4(0, 1, 2, 3) + iqs)) & 1u) << 4;
#if defined(DATA_A_Q5_0)
    return (vec4(q | hi) - 16.0) * float(data_a[ib].d);
#else
    const vec2 dm = vec2(data_a[ib].dm);
    return vec4(q | hi) * dm.x + dm.y;
#endif
#endif
}

#elif defined(DATA_A_Q8_0)

vec4 dequant4(uint ib, uint iqs)
{
    // 8-bit storage allows conversion to 32-bit integers only, hence ivec4 first.
    return vec4(ivec4(data_a[ib].qs[iqs], data_a[ib].qs[iqs + 1], data_a[ib].qs[iqs + 2], data_a[ib].qs[iqs + 3])) * float(data_a[ib].d);
}

#elif defined(DATA_A_Q2_K)

vec4 dequant4(uint ib, uint iqs)
{
    // 2 halves of 128; in each, 4 shifts of 32 elements; 16 elements share a scale byte
    // (low nibble: scale, high nibble: min).
    const uint n = iqs >> 7, j = (iqs >> 5) & 3u, l = iqs & 31u;
    const uint sc = uint(data_a[ib].scales[n * 8u + j * 2u + (l >> 4)]);
    const vec2 dm = vec2(data_a[ib].dm);
    const uint o = n * 32u + l;
    const uvec4 q = (uvec4(data_a[ib].qs[o], data_a[ib].qs[o + 1], data_a[ib].qs[o + 2], data_a[ib].qs[o + 3]) >> (2u * j)) & 3u;
    return vec4(q) * (dm.x * float(sc & 15u)) - dm.y * float(sc >> 4);
}

#elif defined(DATA_A_Q3_K)

vec4 dequant4(uint ib, uint iqs)
{
    const uint n = iqs >> 7, j = (iqs >> 5) & 3u, l = iqs & 31u;
    // 16 six-bit scales: low 4 bits in bytes 0..7 (two per byte), high 2 bits in bytes 8..11.
    const uint is = n * 8u + j * 2u + (l >> 4);
    const uint low = is < 8u ? uint(data_a[ib].scales[is]) & 15u : uint(data_a[ib].scales[is - 8u]) >> 4;
    const uint high = (uint(data_a[ib].scales[8u + (is & 3u)]) >> (2u * (is >> 2))) & 3u;
    const float dl = float(data_a[ib].d) * (float(low | (high << 4)) - 32.0);
    const uint o = n * 32u + l;
    const uvec4 q = (uvec4(data_a[ib].qs[o], data_a[ib].qs[o + 1], data_a[ib].qs[o + 2], data_a[ib].qs[o + 3]) >> (2u * j)) & 3u;
    // A clear hmask bit subtracts 4.
    const uint hb = n * 4u + j;
    const uvec4 h = (uvec4(data_a[ib].hmask[l], data_a[ib].hmask[l + 1], data_a[ib].hmask[l + 2], data_a[ib].hmask[l + 3]) >> hb) & 1u;
    return dl * (vec4(q) - 4.0 * (1.0 - vec4(h)));
}

#elif defined(DATA_A_Q4_K) || defined(DATA_A_Q5_K)

// Eight 6-bit (scale, min) pairs packed in 12 bytes (ggml's get_scale_min_k4).
vec2 scaleMinK4(uint ib, uint is)
{
    uint sc, m;
    if (is < 4u) {
        sc = uint(data_a[ib].scales[is]) & 63u;
        m = uint(data_a[ib].scales[is + 4u]) & 63u;
    } else {
        sc = (uint(data_a[ib].scales[is + 4u]) & 15u) | ((uint(data_a[ib].scales[is - 4u]) >> 6) << 4);
        m = (uint(data_a[ib].scales[is + 4u]) >> 4) | ((uint(data_a[ib].scales[is]) >> 6) << 4);
    }
    return vec2(sc, m);
}

vec4 dequant4(uint ib, uint iqs)
{
    // 4 chunks of 64 elements; each chunk's 32 bytes hold two 32-element sub-blocks (low and
    // high nibbles), each with its own scale and min.
    const uint is = iqs >> 5, l = iqs & 31u;
    const uint o = (iqs >> 6) * 32u + l;
    const uvec4 q = (uvec4(data_a[ib].qs[o], data_a[ib].qs[o + 1], data_a[ib].qs[o + 2], data_a[ib].qs[o + 3]) >> ((is & 1u) * 4u)) & 15u;
    const vec2 dm = vec2(data_a[ib].dm);
    const vec2 sm = scaleMinK4(ib, is);
#if defined(DATA_A_Q5_K)
    const uvec4 hi = ((uvec4(data_a[ib].qh[l], data_a[ib].qh[l + 1], data_a[ib].qh[l + 2], data_a[ib].qh[l + 3]) >> is) & 1u) << 4;
    return vec4(q | hi) * (dm.x * sm.x) - dm.y * sm.y;
#else
    return vec4(q) * (dm.x * sm.x) - dm.y * sm.y;
#endif
}

#elif defined(DATA_A_Q6_K)

vec4 dequant4(uint ib, uint iqs)
{
    // 2 halves of 128 elements; quarter qd of a half takes its low 4 bits from ql (offset 0 or
    // 32, low or high nibble) and its top 2 bits from qh (shift 2 * qd).
    const uint n = iqs >> 7, qd = (iqs >> 5) & 3u, l = iqs & 31u;
    const uint lo = n * 64u + (qd & 1u) * 32u + l;
    const uint ho = n * 32u + l;
    const uvec4 ql = (uvec4(data_a[ib].ql[lo], data_a[ib].ql[lo + 1], data_a[ib].ql[lo + 2], data_a[ib].ql[lo + 3]) >> ((qd >> 1) * 4u)) & 15u;
    const uvec4 qh = (uvec4(data_a[ib].qh[ho], data_a[ib].qh[ho + 1], data_a[ib].qh[ho + 2], data_a[ib].qh[ho + 3]) >> (2u * qd)) & 3u;
    const float scale = float(data_a[ib].d) * float(int(data_a[ib].scales[n * 8u + (l >> 4) + 2u * qd]));
    return (vec4(ql | (qh << 4)) - 32.0) * scale;
}

#endif
