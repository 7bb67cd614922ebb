// AVX2 prefill products through packed panels (Kernels.h, PanelOps).
//
// The row-major tiles (KernelsAvx2Tile.cpp) reduce each dot product across the lanes of a
// register: per 32-element block and per output they pay a sign move, a multiply-add, a widening,
// a conversion and a scale multiply. Here eight weight rows are interleaved four bytes at a time,
// so one register holds four consecutive weights of each of eight rows; multiplied by four bytes
// of one activation row broadcast to every lane, its eight 32-bit lanes are eight outputs. The
// per-block float work (convert, scale) is then shared by eight outputs instead of paid by each,
// and for small unsigned weights (4-bit: 0..15) the int16 products of a whole block add up without
// widening. Panels are made per task from the GGUF blocks (a few hundred KiB, reused by every
// token of the prompt), so nothing changes on disk or in memory between calls.
//
// Every format reduces to the same arithmetic per 16 or 32 elements: x = scale * u + corr, with u
// small integers (unsigned, or signed for the formats whose levels are not a plain offset), so
// dot(x, y) = scale * dy * sum(u * q) + corr * dy * sum(q), where y = dy * q. The activation sums
// dy * sum(q) are computed once per input row (activationPanelSums).

#include "quant/KernelsAvx2.h"
#include "quant/KernelsInternal.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace engine::quant::detail {
namespace {

using namespace avx2;

constexpr int kGroupRows = 8;
constexpr size_t kHeaderBytes = 128; // float scale[2][8], float corr[2][8]: per half block, per row
constexpr size_t kValueBytes = 256;  // 8 chunks of 4 elements x 8 rows x 4 bytes

enum class Act { Q8_0, Q8_1, Q8_K };

template <Act A>
const int8_t* actQs(const uint8_t* row, int64_t block)
{
    if constexpr (A == Act::Q8_0)
        return reinterpret_cast<const BlockQ8_0*>(row)[block].qs;
    else if constexpr (A == Act::Q8_1)
        return reinterpret_cast<const BlockQ8_1*>(row)[block].qs;
    else
        return reinterpret_cast<const BlockQ8_K*>(row)[block / 8].qs + 32 * (block % 8);
}

// One 32-element block of a weight row: the integers in element order, and per half (elements
// 0..15, 16..31) the scale and the correction multiplying the activations' sum.
struct RowBlock {
    __m256i values;
    float scale[2];
    float corr[2];
};

template <typename Block>
const Block& blockAt(const uint8_t* row, int64_t i)
{
    return reinterpret_cast<const Block*>(row)[i];
}

RowBlock uniform(__m256i values, float scale, float corr)
{
    return RowBlock{values, {scale, scale}, {corr, corr}};
}

// Formats. kSigned: values are signed (the kernel moves their sign onto the activations);
// otherwise unsigned and at most kMaxValue. kHalfScales: the two halves have their own scales.
template <Act A, bool Signed, bool HalfScales, int MaxValue>
struct PanelTraits {
    static constexpr Act kAct = A;
    static constexpr bool kSigned = Signed, kHalfScales = HalfScales;
    static constexpr int kMaxValue = MaxValue;
};

// The 32-element formats against Q8_0: x = d · (u − offset), u unsigned (offset > 0) or signed.
template <typename Decoder, int Offset, int MaxValue>
struct PanelSymmetric : PanelTraits<Act::Q8_0, Offset == 0, false, MaxValue> {
    static RowBlock block(const uint8_t* row, int64_t i)
    {
        const auto& b = blockAt<typename Decoder::Block>(row, i);
        const float d = h2f(b.d);
        if constexpr (Offset == 0)
            return uniform(Decoder::q(b), d, 0.0f);
        else
            return uniform(Decoder::u(b), d, -static_cast<float>(Offset) * d);
    }
};
using PanelQ4_0 = PanelSymmetric<DecodeQ4_0, 8, 15>;
using PanelQ5_0 = PanelSymmetric<DecodeQ5_0, 16, 31>;
using PanelQ8_0 = PanelSymmetric<DecodeQ8_0, 0, 127>;
using PanelIQ4_NL = PanelSymmetric<DecodeIQ4_NL, 0, 127>;

// The 32-element formats with a min, against Q8_1: x = d · u + m.
template <typename Decoder, int MaxValue>
struct PanelWithMin : PanelTraits<Act::Q8_1, false, false, MaxValue> {
    static RowBlock block(const uint8_t* row, int64_t i)
    {
        const auto& b = blockAt<typename Decoder::Block>(row, i);
        return uniform(Decoder::q(b), h2f(b.d), h2f(b.m));
    }
};
using PanelQ4_1 = PanelWithMin<DecodeQ4_1, 15>;
using PanelQ5_1 = PanelWithMin<DecodeQ5_1, 31>;

// Q4_K / Q5_K: eight sub-blocks of 32 with a 6-bit scale and min each.
template <typename Decoder, int kMax>
struct PanelScaleMin : PanelTraits<Act::Q8_K, false, false, kMax> {
    static RowBlock block(const uint8_t* row, int64_t i)
    {
        const Decoder dec(blockAt<typename Decoder::Block>(row, i / 8));
        const int c = static_cast<int>(i % 8);
        uint8_t bytes[16];
        std::memcpy(bytes, dec.packed, sizeof bytes);
        return uniform(dec.chunk(c), dec.d * bytes[c], -dec.dmin * bytes[8 + c]);
    }
};
using PanelQ4_K = PanelScaleMin<DecodeQ4_K, 15>;
using PanelQ5_K = PanelScaleMin<DecodeQ5_K, 31>;

// Q6_K / Q3_K: sixteen signed scales, one per 16 elements, and quants stored with an offset
// (x = d · scale · (u − offset)).
inline void subScales(const DecodeQ6_K& dec, int8_t out[16])
{
    std::memcpy(out, dec.b.scales, 16);
}
inline void subScales(const DecodeQ3_K& dec, int8_t out[16])
{
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), dec.sc);
}

template <typename Decoder, int Offset, int MaxValue>
struct PanelSixteenScales : PanelTraits<Act::Q8_K, false, true, MaxValue> {
    static RowBlock block(const uint8_t* row, int64_t i)
    {
        const Decoder dec(blockAt<typename Decoder::Block>(row, i / 8));
        const int c = static_cast<int>(i % 8);
        int8_t sc[16];
        subScales(dec, sc);
        RowBlock rb{dec.chunk(c), {}, {}};
        for (int h = 0; h < 2; ++h) {
            rb.scale[h] = dec.d * sc[2 * c + h];
            rb.corr[h] = -static_cast<float>(Offset) * rb.scale[h];
        }
        return rb;
    }
};
using PanelQ6_K = PanelSixteenScales<DecodeQ6_K, 32, 63>;
using PanelQ3_K = PanelSixteenScales<DecodeQ3_K, 4, 7>;

struct PanelQ2_K : PanelTraits<Act::Q8_K, false, true, 3> {
    static RowBlock block(const uint8_t* row, int64_t i)
    {
        const auto& b = blockAt<BlockQ2_K>(row, i / 8);
        const DecodeQ2_K dec(b);
        const int c = static_cast<int>(i % 8);
        RowBlock rb{dec.chunk(c), {}, {}};
        for (int h = 0; h < 2; ++h) {
            rb.scale[h] = dec.d * (b.scales[2 * c + h] & 0xF);
            rb.corr[h] = -dec.dmin * (b.scales[2 * c + h] >> 4);
        }
        return rb;
    }
};
struct PanelIQ4_XS : PanelTraits<Act::Q8_K, true, false, 127> {
    static RowBlock block(const uint8_t* row, int64_t i)
    {
        const auto& b = blockAt<BlockIQ4_XS>(row, i / 8);
        const DecodeIQ4_XS dec(b);
        const int c = static_cast<int>(i % 8);
        return uniform(dec.chunk(c), dec.d * static_cast<float>(iq4xsScale(b, c)), 0.0f);
    }
};

template <typename F>
constexpr size_t blockBytes()
{
    return kHeaderBytes + (F::kSigned ? 2 : 1) * kValueBytes;
}

// Rows r of v hold 8 dwords (chunks); afterwards v[j] holds dword j of rows 0..7.
void transpose8x8(__m256i v[8])
{
    __m256i t[8], u[8];
    for (int k = 0; k < 4; ++k) {
        t[2 * k] = _mm256_unpacklo_epi32(v[2 * k], v[2 * k + 1]);
        t[2 * k + 1] = _mm256_unpackhi_epi32(v[2 * k], v[2 * k + 1]);
    }
    for (int k = 0; k < 2; ++k) {
        u[4 * k + 0] = _mm256_unpacklo_epi64(t[4 * k + 0], t[4 * k + 2]);
        u[4 * k + 1] = _mm256_unpackhi_epi64(t[4 * k + 0], t[4 * k + 2]);
        u[4 * k + 2] = _mm256_unpacklo_epi64(t[4 * k + 1], t[4 * k + 3]);
        u[4 * k + 3] = _mm256_unpackhi_epi64(t[4 * k + 1], t[4 * k + 3]);
    }
    for (int j = 0; j < 4; ++j) {
        v[j] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x20);
        v[4 + j] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x31);
    }
}

template <typename F>
size_t panelBytes(int64_t n, int64_t nRows)
{
    const int64_t groups = (nRows + kGroupRows - 1) / kGroupRows;
    return static_cast<size_t>(groups) * static_cast<size_t>(n / kQK) * blockBytes<F>();
}

template <typename F>
void pack(int64_t n, int64_t nRows, const void* weights, size_t weightStride, void* panel)
{
    const int64_t nb = n / kQK;
    const int64_t groups = (nRows + kGroupRows - 1) / kGroupRows;
    auto* out = static_cast<uint8_t*>(panel);
    for (int64_t g = 0; g < groups; ++g) {
        const uint8_t* rows[kGroupRows];
        for (int r = 0; r < kGroupRows; ++r) {
            const int64_t row = g * kGroupRows + r;
            rows[r] = row < nRows ? static_cast<const uint8_t*>(weights) + static_cast<size_t>(row) * weightStride : nullptr;
        }
        for (int64_t i = 0; i < nb; ++i, out += blockBytes<F>()) {
            __m256i v[kGroupRows];
            alignas(32) float header[32] = {};
            for (int r = 0; r < kGroupRows; ++r) {
                if (!rows[r]) {
                    v[r] = _mm256_setzero_si256(); // padding rows: zero weights, zero scales
                    continue;
                }
                const RowBlock rb = F::block(rows[r], i);
                v[r] = rb.values;
                header[r] = rb.scale[0];
                header[8 + r] = rb.scale[1];
                header[16 + r] = rb.corr[0];
                header[24 + r] = rb.corr[1];
            }
            transpose8x8(v);
            std::memcpy(out, header, sizeof header);
            for (int j = 0; j < 8; ++j) {
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + kHeaderBytes + 32 * j), v[j]);
                if constexpr (F::kSigned)
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + kHeaderBytes + kValueBytes + 32 * j), _mm256_abs_epi8(v[j]));
            }
        }
    }
}

// Panels from weights already interleaved by interleaveRows (KernelsAvx2Interleaved.cpp): the
// quants are in place, only the nibbles are split and the scales converted.
template <typename F>
void packInterleaved(int64_t n, int64_t nRows, const void* weights, size_t weightStride, void* panel)
{
    static_assert(std::is_same_v<F, PanelQ4_0> || std::is_same_v<F, PanelQ8_0>);
    constexpr size_t kGroupBlockBytes = kGroupRows * (std::is_same_v<F, PanelQ4_0> ? sizeof(BlockQ4_0) : sizeof(BlockQ8_0));
    const int64_t nb = n / kQK;
    auto* out = static_cast<uint8_t*>(panel);
    for (int64_t g = 0; g < nRows / kGroupRows; ++g) {
        const auto* group = static_cast<const uint8_t*>(weights) + static_cast<size_t>(g) * kGroupRows * weightStride;
        for (int64_t i = 0; i < nb; ++i, out += blockBytes<F>()) {
            const uint8_t* src = group + static_cast<size_t>(i) * kGroupBlockBytes;
            const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
            auto* header = reinterpret_cast<float*>(out);
            _mm256_storeu_ps(header, d);
            _mm256_storeu_ps(header + 8, d);
            const __m256 corr = std::is_same_v<F, PanelQ4_0> ? _mm256_mul_ps(d, _mm256_set1_ps(-8.0f)) : _mm256_setzero_ps();
            _mm256_storeu_ps(header + 16, corr);
            _mm256_storeu_ps(header + 24, corr);
            const uint8_t* qs = src + kGroupRows * sizeof(Half);
            uint8_t* values = out + kHeaderBytes;
            if constexpr (std::is_same_v<F, PanelQ4_0>) {
                for (int m = 0; m < 4; ++m) {
                    const __m256i v = loadu(qs + 32 * m);
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + 32 * m), _mm256_and_si256(v, _mm256_set1_epi8(0x0F)));
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + 32 * (m + 4)),
                                        _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F)));
                }
            } else {
                for (int j = 0; j < 8; ++j) {
                    const __m256i v = loadu(qs + 32 * j);
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + 32 * j), v);
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + kValueBytes + 32 * j), _mm256_abs_epi8(v));
                }
            }
        }
    }
}

void packInterleavedQ5_0(int64_t n, int64_t nRows, const void* weights, size_t weightStride, void* panel)
{
    using F = PanelQ5_0;
    constexpr size_t kGroupBlockBytes = kGroupRows * sizeof(BlockQ5_0);
    const int64_t nb = n / kQK;
    auto* out = static_cast<uint8_t*>(panel);
    for (int64_t g = 0; g < nRows / kGroupRows; ++g) {
        const auto* group = static_cast<const uint8_t*>(weights) + static_cast<size_t>(g) * kGroupRows * weightStride;
        for (int64_t i = 0; i < nb; ++i, out += blockBytes<F>()) {
            const uint8_t* src = group + static_cast<size_t>(i) * kGroupBlockBytes;
            const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
            auto* header = reinterpret_cast<float*>(out);
            const __m256 corr = _mm256_mul_ps(d, _mm256_set1_ps(-16.0f));
            _mm256_storeu_ps(header, d);
            _mm256_storeu_ps(header + 8, d);
            _mm256_storeu_ps(header + 16, corr);
            _mm256_storeu_ps(header + 24, corr);
            const __m256i qh = loadu(src + 16);
            for (int m = 0; m < 4; ++m) {
                __m256i lo, hi;
                q5_0InterleavedPair(loadu(src + 48 + 32 * m), _mm256_srli_epi32(qh, 4 * m), lo, hi);
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + kHeaderBytes + 32 * m), lo);
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + kHeaderBytes + 32 * (m + 4)), hi);
            }
        }
    }
}

// Q6_K interleaved (KernelsAvx2Interleaved.cpp: d[8], scales[16][8], q[2][8][3][32]): panel block c of a super-block is half c / 4, quarter c % 4 (elements
// 128h + 32k + l), its halves scaled by scales 8h + 2k and 8h + 2k + 1.
void packInterleavedQ6_K(int64_t n, int64_t nRows, const void* weights, size_t weightStride, void* panel)
{
    using F = PanelQ6_K;
    constexpr size_t kGroupBytes = 8 * sizeof(BlockQ6_K);
    const int64_t nsb = n / kQK_K;
    auto* out = static_cast<uint8_t*>(panel);
    for (int64_t g = 0; g < nRows / kGroupRows; ++g) {
        const auto* group = static_cast<const uint8_t*>(weights) + static_cast<size_t>(g) * kGroupRows * weightStride;
        for (int64_t sb = 0; sb < nsb; ++sb) {
            const uint8_t* src = group + static_cast<size_t>(sb) * kGroupBytes;
            const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
            const auto* scales = reinterpret_cast<const int8_t*>(src + 16);
            const uint8_t* q = src + 144;
            for (int c = 0; c < 8; ++c, out += blockBytes<F>()) {
                const int h = c / 4, k = c % 4;
                auto* header = reinterpret_cast<float*>(out);
                for (int half = 0; half < 2; ++half) {
                    const __m256 sc = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(
                        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(scales + 8 * (8 * h + 2 * k + half)))));
                    const __m256 scale = _mm256_mul_ps(d, sc);
                    _mm256_storeu_ps(header + 8 * half, scale);
                    _mm256_storeu_ps(header + 16 + 8 * half, _mm256_mul_ps(scale, _mm256_set1_ps(-32.0f)));
                }
                for (int m = 0; m < 8; ++m) {
                    __m256i e[4];
                    const uint8_t* v = q + 768 * h + 96 * m;
                    q6_KInterleavedQuad(loadu(v), loadu(v + 32), loadu(v + 64), e);
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + kHeaderBytes + 32 * m), e[k]);
                }
            }
        }
    }
}

// Q4_K interleaved (KernelsAvx2Interleaved.cpp: per super-block d[8], dmin[8], scales[8][8],
// mins[8][8], then qs[4][8][32]): sub-block c of a super-block becomes one panel block.
void packInterleavedQ4_K(int64_t n, int64_t nRows, const void* weights, size_t weightStride, void* panel)
{
    using F = PanelQ4_K;
    constexpr size_t kGroupBytes = 8 * 148;
    const int64_t nsb = n / kQK_K;
    auto* out = static_cast<uint8_t*>(panel);
    for (int64_t g = 0; g < nRows / kGroupRows; ++g) {
        const auto* group = static_cast<const uint8_t*>(weights) + static_cast<size_t>(g) * kGroupRows * weightStride;
        for (int64_t sb = 0; sb < nsb; ++sb) {
            const uint8_t* src = group + static_cast<size_t>(sb) * kGroupBytes;
            const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
            const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 16)));
            const uint8_t* scales = src + 32;
            const uint8_t* mins = src + 96;
            const uint8_t* qs = src + 160;
            for (int c = 0; c < 8; ++c, out += blockBytes<F>()) {
                auto toFloat = [](const uint8_t* p) {
                    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
                };
                const __m256 scale = _mm256_mul_ps(d, toFloat(scales + 8 * c));
                const __m256 corr = _mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(dmin, toFloat(mins + 8 * c)));
                auto* header = reinterpret_cast<float*>(out);
                _mm256_storeu_ps(header, scale);
                _mm256_storeu_ps(header + 8, scale);
                _mm256_storeu_ps(header + 16, corr);
                _mm256_storeu_ps(header + 24, corr);
                const int p = c / 2, shift = 4 * (c % 2);
                for (int m = 0; m < 8; ++m) {
                    const __m256i v = loadu(qs + 256 * p + 32 * m);
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + kHeaderBytes + 32 * m),
                                        _mm256_and_si256(_mm256_srli_epi16(v, shift), _mm256_set1_epi8(0x0F)));
                }
            }
        }
    }
}


// G panel groups (8 rows each) against C activation rows: result[g * C + c] holds the eight
// outputs of group g and row c. Two groups share each broadcast of the activations (fewer loads
// per multiply-add: one core, Q4_0 90 -> 101, Q8_0 47 -> 51 GMAC/s); one for a last odd group.
template <typename F, int C, int G>
void groupProduct(int64_t nb, const uint8_t* group, size_t groupBytes, const uint8_t* const* acts, const float* const* sums,
                  __m256* result)
{
    constexpr int kHalves = F::kHalfScales ? 2 : 1;
    constexpr int kChunks = 8 / kHalves;
    // Chunks whose int16 pair sums (each at most 2 * kMaxValue * 127) still fit in int16.
    constexpr int kPerWiden = F::kSigned ? 1 : std::min(kChunks, 32767 / (2 * F::kMaxValue * 127));
    static_assert(kPerWiden >= 1 && kChunks % kPerWiden == 0);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[G][C];
    for (int g = 0; g < G; ++g)
        for (int c = 0; c < C; ++c)
            acc[g][c] = _mm256_setzero_ps();
    for (int64_t i = 0; i < nb; ++i) {
        const uint8_t* blk[G];
        for (int g = 0; g < G; ++g) {
            blk[g] = group + g * groupBytes + static_cast<size_t>(i) * blockBytes<F>();
            _mm_prefetch(reinterpret_cast<const char*>(blk[g]) + 4 * blockBytes<F>(), _MM_HINT_T0);
        }
        const int8_t* y[C];
        for (int c = 0; c < C; ++c)
            y[c] = actQs<F::kAct>(acts[c], i);
        for (int h = 0; h < kHalves; ++h) {
            __m256i isum[G][C];
            for (int g = 0; g < G; ++g)
                for (int c = 0; c < C; ++c)
                    isum[g][c] = _mm256_setzero_si256();
            for (int j0 = h * kChunks; j0 < (h + 1) * kChunks; j0 += kPerWiden) {
                __m256i s16[G][C];
                for (int g = 0; g < G; ++g)
                    for (int c = 0; c < C; ++c)
                        s16[g][c] = _mm256_setzero_si256();
                for (int j = j0; j < j0 + kPerWiden; ++j) {
                    __m256i w[G];
                    for (int g = 0; g < G; ++g)
                        w[g] = loadu(blk[g] + kHeaderBytes + 32 * j);
                    if constexpr (F::kSigned) {
                        for (int g = 0; g < G; ++g) {
                            const __m256i wa = loadu(blk[g] + kHeaderBytes + kValueBytes + 32 * j);
                            for (int c = 0; c < C; ++c)
                                s16[g][c] = _mm256_maddubs_epi16(wa, _mm256_sign_epi8(broadcast4(y[c] + 4 * j), w[g]));
                        }
                    } else {
                        for (int c = 0; c < C; ++c) {
                            const __m256i yb = broadcast4(y[c] + 4 * j);
                            for (int g = 0; g < G; ++g) {
                                s16[g][c] = _mm256_add_epi16(s16[g][c], _mm256_maddubs_epi16(w[g], yb));
                                keepInRegister(s16[g][c]);
                            }
                        }
                    }
                }
                for (int g = 0; g < G; ++g)
                    for (int c = 0; c < C; ++c)
                        isum[g][c] = _mm256_add_epi32(isum[g][c], _mm256_madd_epi16(s16[g][c], ones));
            }
            for (int g = 0; g < G; ++g) {
                const __m256 scale = _mm256_loadu_ps(reinterpret_cast<const float*>(blk[g]) + 8 * h);
                const __m256 corr = _mm256_loadu_ps(reinterpret_cast<const float*>(blk[g]) + 16 + 8 * h);
                for (int c = 0; c < C; ++c) {
                    const float* s = sums[c] + 4 * i;
                    const __m256 p = _mm256_mul_ps(_mm256_cvtepi32_ps(isum[g][c]), _mm256_broadcast_ss(s));
                    acc[g][c] = _mm256_fmadd_ps(scale, p, acc[g][c]);
                    acc[g][c] = _mm256_fmadd_ps(corr, _mm256_broadcast_ss(s + (kHalves == 2 ? 2 + h : 1)), acc[g][c]);
                }
            }
        }
    }
    for (int g = 0; g < G; ++g)
        for (int c = 0; c < C; ++c)
            result[g * C + c] = acc[g][c];
}

template <typename F, int C>
void columns(int64_t n, int64_t nRows, const uint8_t* panel, const uint8_t* acts, size_t actStride, const float* sums,
             size_t sumsStride, float* out, size_t outStride)
{
    const int64_t nb = n / kQK;
    const uint8_t* a[C];
    const float* s[C];
    for (int c = 0; c < C; ++c) {
        a[c] = acts + static_cast<size_t>(c) * actStride;
        s[c] = sums + static_cast<size_t>(c) * sumsStride;
    }
    const size_t groupBytes = static_cast<size_t>(nb) * blockBytes<F>();
    auto store = [&](int64_t r0, const __m256* result) {
        for (int c = 0; c < C; ++c) {
            float* o = out + static_cast<size_t>(c) * outStride + static_cast<size_t>(r0);
            if (nRows - r0 >= kGroupRows) {
                _mm256_storeu_ps(o, result[c]);
            } else {
                alignas(32) float tmp[kGroupRows];
                _mm256_store_ps(tmp, result[c]);
                std::copy(tmp, tmp + (nRows - r0), o);
            }
        }
    };
    int64_t r0 = 0;
    for (; r0 + 2 * kGroupRows <= nRows; r0 += 2 * kGroupRows) {
        __m256 result[2 * C];
        groupProduct<F, C, 2>(nb, panel + static_cast<size_t>(r0 / kGroupRows) * groupBytes, groupBytes, a, s, result);
        store(r0, result);
        store(r0 + kGroupRows, result + C);
    }
    for (; r0 < nRows; r0 += kGroupRows) {
        __m256 result[C];
        groupProduct<F, C, 1>(nb, panel + static_cast<size_t>(r0 / kGroupRows) * groupBytes, groupBytes, a, s, result);
        store(r0, result);
    }
}

template <typename F>
void multiply(int64_t n, int64_t nRows, int64_t nCols, const void* panel, const void* acts, size_t actStride,
              const float* sums, size_t sumsStride, float* out, size_t outStride)
{
    const auto* p = static_cast<const uint8_t*>(panel);
    const auto* a = static_cast<const uint8_t*>(acts);
    int64_t c = 0;
    for (; c + 4 <= nCols; c += 4)
        columns<F, 4>(n, nRows, p, a + c * actStride, actStride, sums + c * sumsStride, sumsStride, out + c * outStride, outStride);
    const int64_t rest = nCols - c;
    const auto* ac = a + c * actStride;
    const float* sc = sums + c * sumsStride;
    float* oc = out + c * outStride;
    if (rest == 3)
        columns<F, 3>(n, nRows, p, ac, actStride, sc, sumsStride, oc, outStride);
    else if (rest == 2)
        columns<F, 2>(n, nRows, p, ac, actStride, sc, sumsStride, oc, outStride);
    else if (rest == 1)
        columns<F, 1>(n, nRows, p, ac, actStride, sc, sumsStride, oc, outStride);
}

template <typename F>
const PanelOps* opsFor()
{
    static const PanelOps ops{kGroupRows, panelBytes<F>, pack<F>, multiply<F>};
    return &ops;
}

// Sums of the 16-element halves of 32 activation bytes.
inline void halfSums(const int8_t* q, int& low, int& high)
{
    const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), loadu(q)), _mm256_set1_epi16(1));
    __m128i lo = _mm256_castsi256_si128(p), hi = _mm256_extracti128_si256(p, 1);
    lo = _mm_add_epi32(lo, _mm_shuffle_epi32(lo, _MM_SHUFFLE(1, 0, 3, 2)));
    hi = _mm_add_epi32(hi, _mm_shuffle_epi32(hi, _MM_SHUFFLE(1, 0, 3, 2)));
    low = _mm_cvtsi128_si32(lo) + _mm_extract_epi32(lo, 1);
    high = _mm_cvtsi128_si32(hi) + _mm_extract_epi32(hi, 1);
}

template <typename F>
const PanelOps* interleavedOpsFor()
{
    static const PanelOps ops{kGroupRows, panelBytes<F>, packInterleaved<F>, multiply<F>};
    return &ops;
}

} // namespace

const PanelOps* avx2InterleavedPanelOps(TensorType weightType)
{
    switch (weightType) {
    case TensorType::Q4_0: return interleavedOpsFor<PanelQ4_0>();
    case TensorType::Q8_0: return interleavedOpsFor<PanelQ8_0>();
    case TensorType::Q5_0: {
        static const PanelOps ops{kGroupRows, panelBytes<PanelQ5_0>, packInterleavedQ5_0, multiply<PanelQ5_0>};
        return &ops;
    }
    case TensorType::Q6_K: {
        static const PanelOps ops{kGroupRows, panelBytes<PanelQ6_K>, packInterleavedQ6_K, multiply<PanelQ6_K>};
        return &ops;
    }
    case TensorType::Q4_K: {
        static const PanelOps ops{kGroupRows, panelBytes<PanelQ4_K>, packInterleavedQ4_K, multiply<PanelQ4_K>};
        return &ops;
    }
    default: return nullptr;
    }
}

const PanelOps* avx2PanelOps(TensorType weightType)
{
    switch (weightType) {
    case TensorType::Q4_0: return opsFor<PanelQ4_0>();
    case TensorType::Q5_0: return opsFor<PanelQ5_0>();
    case TensorType::Q8_0: return opsFor<PanelQ8_0>();
    case TensorType::IQ4_NL: return opsFor<PanelIQ4_NL>();
    case TensorType::Q4_1: return opsFor<PanelQ4_1>();
    case TensorType::Q5_1: return opsFor<PanelQ5_1>();
    case TensorType::Q2_K: return opsFor<PanelQ2_K>();
    case TensorType::Q3_K: return opsFor<PanelQ3_K>();
    case TensorType::Q4_K: return opsFor<PanelQ4_K>();
    case TensorType::Q5_K: return opsFor<PanelQ5_K>();
    case TensorType::Q6_K: return opsFor<PanelQ6_K>();
    case TensorType::IQ4_XS: return opsFor<PanelIQ4_XS>();
    default: return nullptr;
    }
}

void avx2ActivationPanelSums(TensorType weightType, const void* actRow, int64_t n, float* sums)
{
    const auto* row = static_cast<const uint8_t*>(actRow);
    const int64_t nb = n / kQK;
    const TensorType act = activationType(weightType);
    for (int64_t i = 0; i < nb; ++i, sums += 4) {
        float dy = 0;
        int low = 0, high = 0;
        if (act == TensorType::Q8_K) {
            const auto& b = reinterpret_cast<const BlockQ8_K*>(row)[i / 8];
            dy = b.d;
            low = b.bsums[2 * (i % 8)];
            high = b.bsums[2 * (i % 8) + 1];
        } else if (act == TensorType::Q8_1) {
            const auto& b = reinterpret_cast<const BlockQ8_1*>(row)[i];
            dy = h2f(b.d);
            halfSums(b.qs, low, high);
        } else {
            const auto& b = reinterpret_cast<const BlockQ8_0*>(row)[i];
            dy = h2f(b.d);
            halfSums(b.qs, low, high);
        }
        sums[0] = dy;
        // Q8_1 carries its own sum, rounded to fp16, and that is what the min term multiplies
        // (as in the dot products and llama.cpp).
        sums[1] = act == TensorType::Q8_1 ? h2f(reinterpret_cast<const BlockQ8_1*>(row)[i].s) : dy * static_cast<float>(low + high);
        sums[2] = dy * static_cast<float>(low);
        sums[3] = dy * static_cast<float>(high);
    }
}

} // namespace engine::quant::detail
