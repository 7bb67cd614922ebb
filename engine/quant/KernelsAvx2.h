#pragma once
// Building blocks of the AVX2 kernels: reductions, nibble and bit unpacking, and one decoder per
// weight format (turning a block into bytes for maddubs). Include only from files compiled with
// inkstone_avx2_sources(): it uses AVX2/FMA/F16C intrinsics unconditionally.

#include "quant/Blocks.h"
#include "quant/Quant.h"

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace engine::quant::detail::avx2 {


inline float h2f(Half h) { return _cvtsh_ss(h); }

// a * b for two fp16 scales, converted together by one vcvtph2ps (the scale work is a large
// part of a 32-element block's cost).
inline float scaleProduct(Half a, Half b)
{
    const __m128 f = _mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(a | (static_cast<uint32_t>(b) << 16))));
    return _mm_cvtss_f32(_mm_mul_ss(f, _mm_movehdup_ps(f)));
}

inline float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline int hsumI32(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

inline __m256i loadu(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// 16 bytes of nibbles -> 32 bytes: low nibbles first (elements 0..15), then high (16..31).
inline __m256i nibbles32(const uint8_t* qs)
{
    // The 16 bytes in both halves (one broadcast load), the upper half shifted by 4: three
    // instructions where insert-and-shift took four.
    const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
    return _mm256_and_si256(_mm256_srlv_epi64(both, _mm256_set_epi64x(4, 4, 0, 0)), _mm256_set1_epi8(0x0F));
}

// 32 bits -> 32 bytes, byte j = 0xFF where bit j is set.
inline __m256i bitsToBytes(uint32_t bits)
{
    const __m256i shuffle = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), shuffle);
    const __m256i mask = _mm256_set1_epi64x(0x7FBFDFEFF7FBFDFE);
    v = _mm256_or_si256(v, mask);
    return _mm256_cmpeq_epi8(v, _mm256_set1_epi64x(-1));
}

// Dot of 32 unsigned bytes with 32 signed bytes, as 8 int32 partial sums.
inline __m256i dotU8(__m256i u, __m256i s)
{
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

// Same for two signed operands: move the sign of a onto b.
inline __m256i dotI8(__m256i a, __m256i b)
{
    return dotU8(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
}

// Four bytes broadcast to all eight 32-bit lanes (four activation bytes against eight rows of an
// interleaved or packed weight layout).
inline __m256i broadcast4(const int8_t* p)
{
    int32_t v;
    std::memcpy(&v, p, sizeof v);
    return _mm256_set1_epi32(v);
}

// Without this the compiler reassociates a block's chain of int16 additions into a tree, keeping
// all the products of a tile alive at once and spilling them to the stack (measured: half the
// speed of the panel products).
inline void keepInRegister(__m256i& v)
{
    asm("" : "+x"(v));
}

// ---- 32-element formats ----

// Symmetric formats give the signed weights (q); those stored with an offset also give them
// unsigned (u = q + kOffset), which lets a tile skip the sign trick and subtract
// kOffset * sum(activations) once per activation block instead.
struct DecodeQ4_0 {
    using Block = BlockQ4_0;
    static constexpr int kOffset = 8;
    static __m256i u(const Block& b) { return nibbles32(b.qs); }
    static __m256i q(const Block& b) { return _mm256_sub_epi8(u(b), _mm256_set1_epi8(8)); }
};
struct DecodeQ5_0 {
    using Block = BlockQ5_0;
    static constexpr int kOffset = 16;
    static __m256i u(const Block& b)
    {
        uint32_t qh;
        std::memcpy(&qh, b.qh, sizeof qh);
        return _mm256_or_si256(nibbles32(b.qs), _mm256_and_si256(bitsToBytes(qh), _mm256_set1_epi8(0x10)));
    }
    static __m256i q(const Block& b)
    {
        uint32_t qh;
        std::memcpy(&qh, b.qh, sizeof qh);
        // (nibble | bit4) - 16 == nibble - (bit4 clear ? 16 : 0)
        const __m256i clear = _mm256_andnot_si256(bitsToBytes(qh), _mm256_set1_epi8(static_cast<char>(0xF0)));
        return _mm256_or_si256(nibbles32(b.qs), clear);
    }
};
struct DecodeQ8_0 {
    using Block = BlockQ8_0;
    static constexpr int kOffset = 0;
    static __m256i q(const Block& b) { return loadu(b.qs); }
};
struct DecodeIQ4_NL {
    using Block = BlockIQ4_NL;
    static constexpr int kOffset = 0;
    static __m256i q(const Block& b)
    {
        const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues)));
        return _mm256_shuffle_epi8(table, nibbles32(b.qs));
    }
};
struct DecodeQ4_1 {
    using Block = BlockQ4_1;
    static __m256i q(const Block& b) { return nibbles32(b.qs); }
};
struct DecodeQ5_1 {
    using Block = BlockQ5_1;
    static __m256i q(const Block& b)
    {
        uint32_t qh;
        std::memcpy(&qh, b.qh, sizeof qh);
        const __m256i high = _mm256_and_si256(bitsToBytes(qh), _mm256_set1_epi8(0x10));
        return _mm256_or_si256(nibbles32(b.qs), high);
    }
};

// Q5_0 interleaved 8 rows at a time (KernelsAvx2Interleaved.cpp): from 32 bytes of nibbles (row
// r's qs[4m..4m+3] at bytes 4r..) and the 8 rows' qh words shifted right by 4m, the unsigned
// 5-bit values of chunk m (elements 4m..4m+3 of each row) and chunk m + 4 (16+4m..).
inline void q5_0InterleavedPair(__m256i qs, __m256i qhShifted, __m256i& lo, __m256i& hi)
{
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i bit = _mm256_set1_epi32(0x08040201);
    // Byte k of row r's word gets bit k of that row's word (chunk m) or bit 16 + k (chunk m + 4).
    const __m256i rep0 = _mm256_setr_epi8(0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12, 0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12);
    const __m256i rep2 = _mm256_add_epi8(rep0, _mm256_set1_epi8(2));
    auto high = [&](__m256i rep) {
        const __m256i b = _mm256_and_si256(_mm256_shuffle_epi8(qhShifted, rep), bit);
        return _mm256_and_si256(_mm256_cmpeq_epi8(b, bit), _mm256_set1_epi8(0x10));
    };
    lo = _mm256_or_si256(_mm256_and_si256(qs, low4), high(rep0));
    hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(qs, 4), low4), high(rep2));
}

// Q6_K interleaved 8 rows at a time: from row r's ql[l], ql[l + 32] and qh[l] for l = 4m..4m+3
// (bytes 4r.. of each vector), the unsigned 6-bit values of elements l, l + 32, l + 64 and
// l + 96 of that half block (the weight is the value minus 32). The 16-bit shifts carry bits
// across bytes, but only into bits the masks clear.
inline void q6_KInterleavedQuad(__m256i ql0, __m256i ql1, __m256i qh, __m256i e[4])
{
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i bits45 = _mm256_set1_epi8(0x30);
    e[0] = _mm256_or_si256(_mm256_and_si256(ql0, low4), _mm256_and_si256(_mm256_slli_epi16(qh, 4), bits45));
    e[1] = _mm256_or_si256(_mm256_and_si256(ql1, low4), _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45));
    e[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4), _mm256_and_si256(qh, bits45));
    e[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4), _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45));
}

// ---- super-block formats against Q8_K ----
// A decoder gives, for chunk c (elements 32c..32c+31), the weights as bytes (unsigned, or
// signed when kSigned) and the int16 scale of each of the 16 maddubs lanes; plus the integer
// terms that come from the activation block sums: `offset` (a constant subtracted from every
// unsigned quant, folded in with the scales) and the mins (scaled by dmin).

inline __m256i scalePair(int a, int b)
{
    return _mm256_set_m128i(_mm_set1_epi16(static_cast<short>(b)), _mm_set1_epi16(static_cast<short>(a)));
}

// sum(scale[j] * bsums[j]) over the 16 sums of 16 of a Q8_K block, scales as 16 int16 lanes.
inline int scaledBlockSums(__m256i scales16, const int16_t* bsums)
{
    return hsumI32(_mm256_madd_epi16(scales16, loadu(bsums)));
}

inline __m128i load128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }

struct DecodeQ2_K {
    using Block = BlockQ2_K;
    static constexpr bool kSigned = false;
    static constexpr bool kHasMins = true;
    const Block& b;
    float d, dmin;
    explicit DecodeQ2_K(const Block& blk) : b(blk), d(h2f(blk.d)), dmin(h2f(blk.dmin)) {}
    __m256i chunk(int c) const
    {
        const __m256i q = loadu(b.qs + 32 * (c / 4));
        return _mm256_and_si256(_mm256_srli_epi16(q, 2 * (c % 4)), _mm256_set1_epi8(3));
    }
    __m256i scales(int c) const { return scalePair(b.scales[2 * c] & 0xF, b.scales[2 * c + 1] & 0xF); }
    int offsetTerm(const int16_t*) const { return 0; }
    int minSum(const int16_t* bsums) const
    {
        const __m128i mins = _mm_and_si128(_mm_srli_epi16(load128(b.scales), 4), _mm_set1_epi8(0x0F));
        return scaledBlockSums(_mm256_cvtepu8_epi16(mins), bsums);
    }
};

struct DecodeQ3_K {
    using Block = BlockQ3_K;
    static constexpr bool kSigned = false;
    static constexpr bool kHasMins = false;
    const Block& b;
    float d, dmin = 0;
    __m128i sc; // the sixteen signed scales, in registers (q3kScales' values)
    explicit DecodeQ3_K(const Block& blk) : b(blk), d(h2f(blk.d))
    {
        // All sixteen 6-bit scales at once: low nibbles from bytes 0..7, high 2 bits from 8..11.
        constexpr uint32_t kLow4 = 0x0F0F0F0F, kTop2 = 0x03030303;
        uint32_t u[3];
        std::memcpy(u, blk.scales, sizeof u);
        const uint32_t s0 = (u[0] & kLow4) | (((u[2] >> 0) & kTop2) << 4);
        const uint32_t s1 = (u[1] & kLow4) | (((u[2] >> 2) & kTop2) << 4);
        const uint32_t s2 = ((u[0] >> 4) & kLow4) | (((u[2] >> 4) & kTop2) << 4);
        const uint32_t s3 = ((u[1] >> 4) & kLow4) | (((u[2] >> 6) & kTop2) << 4);
        sc = _mm_sub_epi8(_mm_set_epi32(static_cast<int>(s3), static_cast<int>(s2), static_cast<int>(s1), static_cast<int>(s0)),
                          _mm_set1_epi8(32));
    }
    // Unsigned 0..7 = low 2 bits | high bit << 2; the weight is that minus 4.
    __m256i chunk(int c) const
    {
        const __m256i low = _mm256_and_si256(_mm256_srli_epi16(loadu(b.qs + 32 * (c / 4)), 2 * (c % 4)), _mm256_set1_epi8(3));
        const __m256i bit = _mm256_set1_epi8(static_cast<char>(1 << c));
        const __m256i high = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(loadu(b.hmask), bit), bit), _mm256_set1_epi8(4));
        return _mm256_or_si256(low, high);
    }
    // [scale 2c in the low 8 lanes | scale 2c+1 in the high 8].
    __m256i scales(int c) const
    {
        const __m128i half = c < 4 ? sc : _mm_unpackhi_epi64(sc, sc);
        const __m256i both = _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(half));
        const int k = c % 4;
        const __m256i mask = _mm256_set_m128i(_mm_set1_epi16(static_cast<short>(0x0100 + 0x0202 * (2 * k + 1))),
                                              _mm_set1_epi16(static_cast<short>(0x0100 + 0x0202 * (2 * k))));
        return _mm256_shuffle_epi8(both, mask);
    }
    int offsetTerm(const int16_t* bsums) const { return 4 * scaledBlockSums(_mm256_cvtepi8_epi16(sc), bsums); }
    int minSum(const int16_t*) const { return 0; }
};

template <typename BlockT>
struct ScaleMinBase {
    const BlockT& b;
    float d, dmin;
    uint32_t packed[4]; // bytes 0..7: the eight 6-bit scales, bytes 8..15: the eight mins
    explicit ScaleMinBase(const BlockT& blk) : b(blk), d(h2f(blk.d)), dmin(h2f(blk.dmin))
    {
        // Unpacks the 12 bytes of kScaleMin all at once (same values, no per-index branches).
        constexpr uint32_t kLow6 = 0x3F3F3F3F, kLow4 = 0x0F0F0F0F, kTop2 = 0x03030303;
        uint32_t u[3];
        std::memcpy(u, blk.scales, sizeof u);
        packed[0] = u[0] & kLow6;
        packed[1] = (u[2] & kLow4) | (((u[0] >> 6) & kTop2) << 4);
        packed[2] = u[1] & kLow6;
        packed[3] = ((u[2] >> 4) & kLow4) | (((u[1] >> 6) & kTop2) << 4);
    }
    // Scale of chunk c in all 16 lanes: one in-lane shuffle of the eight scales (as int16).
    __m256i scales(int c) const
    {
        const __m256i all = _mm256_broadcastsi128_si256(
            _mm_cvtepu8_epi16(_mm_set_epi32(0, 0, static_cast<int>(packed[1]), static_cast<int>(packed[0]))));
        return _mm256_shuffle_epi8(all, _mm256_set1_epi16(static_cast<short>(0x0100 + 0x0202 * c)));
    }
    int offsetTerm(const int16_t*) const { return 0; }
    int minSum(const int16_t* bsums) const
    {
        // Each min covers two sums of 16: add neighbouring sums, then multiply-add with the mins.
        const __m256i sums = loadu(bsums);
        const __m128i pairs = _mm_hadd_epi16(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
        // Built from registers, not reloaded from `packed` (that would stall on store forwarding).
        const __m128i mins = _mm_cvtepu8_epi16(_mm_set_epi32(0, 0, static_cast<int>(packed[3]), static_cast<int>(packed[2])));
        __m128i p = _mm_madd_epi16(mins, pairs);
        p = _mm_add_epi32(p, _mm_shuffle_epi32(p, _MM_SHUFFLE(1, 0, 3, 2)));
        p = _mm_add_epi32(p, _mm_shuffle_epi32(p, _MM_SHUFFLE(2, 3, 0, 1)));
        return _mm_cvtsi128_si32(p);
    }
};

struct DecodeQ4_K : ScaleMinBase<BlockQ4_K> {
    using Block = BlockQ4_K;
    static constexpr bool kSigned = false;
    static constexpr bool kHasMins = true;
    using ScaleMinBase::ScaleMinBase;
    __m256i chunk(int c) const
    {
        const __m256i q = loadu(b.qs + 32 * (c / 2));
        return _mm256_and_si256(_mm256_srli_epi16(q, 4 * (c % 2)), _mm256_set1_epi8(0x0F));
    }
};

struct DecodeQ5_K : ScaleMinBase<BlockQ5_K> {
    using Block = BlockQ5_K;
    static constexpr bool kSigned = false;
    static constexpr bool kHasMins = true;
    using ScaleMinBase::ScaleMinBase;
    __m256i chunk(int c) const
    {
        const __m256i low = _mm256_and_si256(_mm256_srli_epi16(loadu(b.qs + 32 * (c / 2)), 4 * (c % 2)), _mm256_set1_epi8(0x0F));
        const __m256i bit = _mm256_set1_epi8(static_cast<char>(1 << c));
        const __m256i high = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(loadu(b.qh), bit), bit), _mm256_set1_epi8(0x10));
        return _mm256_or_si256(low, high);
    }
};

struct DecodeQ6_K {
    using Block = BlockQ6_K;
    static constexpr bool kSigned = false;
    static constexpr bool kHasMins = false;
    const Block& b;
    float d, dmin = 0;
    explicit DecodeQ6_K(const Block& blk) : b(blk), d(h2f(blk.d)) {}
    // Unsigned 0..63; the weight is that minus 32.
    __m256i chunk(int c) const
    {
        const int half = c / 4, which = c % 4;
        const __m256i ql = loadu(b.ql + 64 * half + 32 * (which % 2));
        const __m256i low = _mm256_and_si256(_mm256_srli_epi16(ql, 4 * (which / 2)), _mm256_set1_epi8(0x0F));
        const __m256i qh = loadu(b.qh + 32 * half);
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * which), _mm256_set1_epi8(3));
        return _mm256_or_si256(low, _mm256_slli_epi16(high, 4));
    }
    // [scale 2c in the low 8 lanes | scale 2c+1 in the high 8], by one in-lane shuffle of the
    // eight scales of that half of the block.
    __m256i scales(int c) const
    {
        const __m128i eight = _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b.scales + 8 * (c / 4))));
        const __m256i both = _mm256_broadcastsi128_si256(eight);
        const int k = c % 4;
        const __m256i mask = _mm256_set_m128i(_mm_set1_epi16(static_cast<short>(0x0100 + 0x0202 * (2 * k + 1))),
                                              _mm_set1_epi16(static_cast<short>(0x0100 + 0x0202 * (2 * k))));
        return _mm256_shuffle_epi8(both, mask);
    }
    int offsetTerm(const int16_t* bsums) const
    {
        return 32 * scaledBlockSums(_mm256_cvtepi8_epi16(load128(b.scales)), bsums);
    }
    int minSum(const int16_t*) const { return 0; }
};

struct DecodeIQ4_XS {
    using Block = BlockIQ4_XS;
    static constexpr bool kSigned = true;
    static constexpr bool kHasMins = false;
    const Block& b;
    float d, dmin = 0;
    explicit DecodeIQ4_XS(const Block& blk) : b(blk), d(h2f(blk.d)) {}
    __m256i chunk(int c) const
    {
        const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues)));
        return _mm256_shuffle_epi8(table, nibbles32(b.qs + 16 * c));
    }
    __m256i scales(int c) const { return _mm256_set1_epi16(static_cast<short>(iq4xsScale(b, c))); }
    int offsetTerm(const int16_t*) const { return 0; }
    int minSum(const int16_t*) const { return 0; }
};

// The dot product of one super-block row with one Q8_K row (also the 1 x 1 tile).
template <typename Decoder>
inline void dotSuper(int64_t n, float* out, const void* vx, const void* vy)
{
    const auto* x = static_cast<const typename Decoder::Block*>(vx);
    const auto* y = static_cast<const BlockQ8_K*>(vy);
    const int64_t nb = n / kQK_K;
    // The scale terms stay in vector lanes until the end; the offset and min terms (integers
    // from the activation block sums) go to a scalar.
    __m256 acc = _mm256_setzero_ps();
    float rest = 0;
    for (int64_t i = 0; i < nb; ++i) {
        const Decoder dec(x[i]);
        __m256i sumi[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
        for (int c = 0; c < kQK_K / 32; ++c) {
            const __m256i yv = loadu(y[i].qs + 32 * c);
            const __m256i q = dec.chunk(c);
            __m256i p16;
            if constexpr (Decoder::kSigned)
                p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(yv, q));
            else
                p16 = _mm256_maddubs_epi16(q, yv);
            sumi[c % 2] = _mm256_add_epi32(sumi[c % 2], _mm256_madd_epi16(dec.scales(c), p16));
        }
        const float d = dec.d * y[i].d;
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(_mm256_add_epi32(sumi[0], sumi[1])), acc);
        rest -= d * static_cast<float>(dec.offsetTerm(y[i].bsums));
        if constexpr (Decoder::kHasMins)
            rest -= dec.dmin * y[i].d * static_cast<float>(dec.minSum(y[i].bsums));
    }
    *out = hsum(acc) + rest;
}

// ---- plain float formats: 4 accumulators of 8 lanes, as ggml's GGML_F32/F16 steps ----

struct LoadF32 {
    using T = float;
    static __m256 load(const T* p) { return _mm256_loadu_ps(p); }
    static float scalar(T v) { return v; }
};
struct LoadF16 {
    using T = uint16_t;
    static __m256 load(const T* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
    static float scalar(T v) { return _cvtsh_ss(v); }
};
struct LoadBF16 {
    using T = uint16_t;
    static __m256 load(const T* p)
    {
        const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
        return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
    }
    static float scalar(T v) { return bf16ToF32(v); }
};

// One weight row with one activation row (also the 1 x 1 tiles).
// The block's integer dot product: for the offset formats from the unsigned weights, subtracting
// offset * y in the int16 pair sums (exact: every pair stays within int16), which is cheaper than
// moving the weights' sign onto y.
template <typename Decoder>
inline __m256i blockDot(const typename Decoder::Block& x, __m256i y)
{
    if constexpr (Decoder::kOffset != 0) {
        const __m256i p16 = _mm256_sub_epi16(_mm256_maddubs_epi16(Decoder::u(x), y),
                                             _mm256_maddubs_epi16(_mm256_set1_epi8(static_cast<char>(Decoder::kOffset)), y));
        return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
    } else {
        return dotI8(Decoder::q(x), y);
    }
}

template <typename Decoder>
inline void dotSymmetric(int64_t n, float* out, const void* vx, const void* vy)
{
    const auto* x = static_cast<const typename Decoder::Block*>(vx);
    const auto* y = static_cast<const BlockQ8_0*>(vy);
    const int64_t nb = n / kQK;
    __m256 acc0 = _mm256_setzero_ps();
    __m256 acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 1 < nb; i += 2) {
        const __m256 p0 = _mm256_cvtepi32_ps(blockDot<Decoder>(x[i], loadu(y[i].qs)));
        const __m256 p1 = _mm256_cvtepi32_ps(blockDot<Decoder>(x[i + 1], loadu(y[i + 1].qs)));
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(scaleProduct(x[i].d, y[i].d)), p0, acc0);
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(scaleProduct(x[i + 1].d, y[i + 1].d)), p1, acc1);
    }
    for (; i < nb; ++i) {
        const __m256 p = _mm256_cvtepi32_ps(blockDot<Decoder>(x[i], loadu(y[i].qs)));
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(scaleProduct(x[i].d, y[i].d)), p, acc0);
    }
    *out = hsum(_mm256_add_ps(acc0, acc1));
}

template <typename Decoder>
inline void dotWithMin(int64_t n, float* out, const void* vx, const void* vy)
{
    const auto* x = static_cast<const typename Decoder::Block*>(vx);
    const auto* y = static_cast<const BlockQ8_1*>(vy);
    const int64_t nb = n / kQK;
    __m256 acc = _mm256_setzero_ps();
    float mins = 0;
    for (int64_t i = 0; i < nb; ++i) {
        const __m256 p = _mm256_cvtepi32_ps(dotU8(Decoder::q(x[i]), loadu(y[i].qs)));
        // (d, m) of the weights and (d, s) of the activations are adjacent halves: one
        // conversion gives all four, one multiply both products.
        uint32_t dm, ds;
        std::memcpy(&dm, &x[i].d, sizeof dm);
        std::memcpy(&ds, &y[i].d, sizeof ds);
        const __m128 f = _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<long long>(dm | (static_cast<uint64_t>(ds) << 32))));
        const __m128 prod = _mm_mul_ps(f, _mm_movehl_ps(f, f)); // [dx*dy, mx*sy, ...]
        acc = _mm256_fmadd_ps(_mm256_broadcastss_ps(prod), p, acc);
        mins += _mm_cvtss_f32(_mm_movehdup_ps(prod));
    }
    *out = hsum(acc) + mins;
}

template <typename Load>
inline void dotFloat(int64_t n, float* out, const void* vx, const void* vy)
{
    const auto* x = static_cast<const typename Load::T*>(vx);
    const auto* y = static_cast<const typename Load::T*>(vy);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(Load::load(x + i), Load::load(y + i), acc0);
        acc1 = _mm256_fmadd_ps(Load::load(x + i + 8), Load::load(y + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(Load::load(x + i + 16), Load::load(y + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(Load::load(x + i + 24), Load::load(y + i + 24), acc3);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(Load::load(x + i), Load::load(y + i), acc0);
    double sum = hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
    for (; i < n; ++i)
        sum += static_cast<double>(Load::scalar(x[i]) * Load::scalar(y[i]));
    *out = static_cast<float>(sum);
}

} // namespace engine::quant::detail::avx2
