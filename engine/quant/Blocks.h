#pragma once
// Block layouts of the quantized tensor types, byte for byte as ggml stores them (ggml-common.h).
// A row of n elements is n / blockSize consecutive blocks; the structs have no padding, so a row
// can be read in place from a memory-mapped GGUF file.

#include <cstdint>

namespace engine::quant {

constexpr int kQK = 32;    // elements per block of the legacy formats (Q4_0 … Q8_1, IQ4_NL)
constexpr int kQK_K = 256; // elements per super-block of the K-quants and IQ4_XS
constexpr int kKScaleBytes = 12; // Q4_K/Q5_K: eight 6-bit scales and eight 6-bit mins

using Half = uint16_t; // IEEE binary16 bits (see f16ToF32)

struct BlockQ4_0 {
    Half d;            // scale
    uint8_t qs[kQK / 2]; // element j in the low nibble of qs[j], element j+16 in the high nibble
};
struct BlockQ4_1 {
    Half d;
    Half m;            // min: x = q * d + m
    uint8_t qs[kQK / 2];
};
struct BlockQ5_0 {
    Half d;
    uint8_t qh[4];     // fifth bit of each element, bit j for element j
    uint8_t qs[kQK / 2];
};
struct BlockQ5_1 {
    Half d;
    Half m;
    uint8_t qh[4];
    uint8_t qs[kQK / 2];
};
struct BlockQ8_0 {
    Half d;
    int8_t qs[kQK];
};
// Activations for Q4_1/Q5_1: s = d * sum(qs), so the min term of the dot product is one multiply.
struct BlockQ8_1 {
    Half d;
    Half s;
    int8_t qs[kQK];
};
struct BlockQ2_K {
    uint8_t scales[kQK_K / 16]; // low nibble: scale, high nibble: min, per 16 elements
    uint8_t qs[kQK_K / 4];      // 2-bit quants
    Half d;                     // super-block scale of the scales
    Half dmin;                  // super-block scale of the mins
};
struct BlockQ3_K {
    uint8_t hmask[kQK_K / 8];   // high bit of each 3-bit quant
    uint8_t qs[kQK_K / 4];      // low 2 bits
    uint8_t scales[12];         // sixteen 6-bit scales
    Half d;
};
struct BlockQ4_K {
    Half d;
    Half dmin;
    uint8_t scales[kKScaleBytes];
    uint8_t qs[kQK_K / 2];
};
struct BlockQ5_K {
    Half d;
    Half dmin;
    uint8_t scales[kKScaleBytes];
    uint8_t qh[kQK_K / 8];
    uint8_t qs[kQK_K / 2];
};
struct BlockQ6_K {
    uint8_t ql[kQK_K / 2];      // low 4 bits
    uint8_t qh[kQK_K / 4];      // high 2 bits
    int8_t scales[kQK_K / 16];  // 8-bit scales per 16 elements
    Half d;
};
// Activations for the K-quants: float scale, and the sums of each 16 quants (for the mins).
struct BlockQ8_K {
    float d;
    int8_t qs[kQK_K];
    int16_t bsums[kQK_K / 16];
};
struct BlockIQ4_NL {
    Half d;
    uint8_t qs[kQK / 2];        // indices into kIq4nlValues
};
struct BlockIQ4_XS {
    Half d;
    uint16_t scalesH;           // high 2 bits of the eight 6-bit block scales
    uint8_t scalesL[kQK_K / 64]; // low 4 bits
    uint8_t qs[kQK_K / 2];
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);
static_assert(sizeof(BlockIQ4_NL) == 18);
static_assert(sizeof(BlockIQ4_XS) == 136);

// The 16 non-linear levels of IQ4_NL and IQ4_XS (kvalues_iq4nl).
inline constexpr int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1, 13, 25, 38, 53, 69, 89, 113};

// Q4_K/Q5_K: the 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes.
inline void kScaleMin(int j, const uint8_t* q, uint8_t& scale, uint8_t& min)
{
    if (j < 4) {
        scale = q[j] & 63;
        min = q[j + 4] & 63;
    } else {
        scale = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// Q3_K: the sixteen signed 6-bit scales (-32..31) from the 12 packed bytes.
inline void q3kScales(const uint8_t* packed, int8_t out[16])
{
    for (int j = 0; j < 16; ++j) {
        const int low = j < 8 ? (packed[j] & 0xF) : (packed[j - 8] >> 4);
        const int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
        out[j] = static_cast<int8_t>((low | (high << 4)) - 32);
    }
}

// IQ4_XS: the signed 6-bit scale (-32..31) of sub-block ib (0..7).
inline int iq4xsScale(const BlockIQ4_XS& b, int ib)
{
    const int low = (b.scalesL[ib / 2] >> (4 * (ib % 2))) & 0xF;
    const int high = (b.scalesH >> (2 * ib)) & 3;
    return (low | (high << 4)) - 32;
}

} // namespace engine::quant
