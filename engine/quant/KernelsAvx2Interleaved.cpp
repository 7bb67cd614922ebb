// Weights interleaved 8 rows at a time (Kernels.h, interleaveRows) and their products.
//
// Generation reads every weight once per token, and row by row the AVX2 dot products of the
// 32-element formats cost more instructions per block than the memory system needs to deliver it
// (one row of Q4_0: ~10 GB/s on one core, against ~20 GB/s for a plain read). With eight rows
// interleaved four bytes at a time, one 32-byte load holds four weights of each of eight rows,
// one broadcast of four activation bytes feeds all eight, and the per-block float work (convert,
// scale) is shared by eight outputs. Same idea as the prefill panels, applied to the stored
// layout so that generation benefits too; the CPU backend converts Q4_0 and Q8_0 matrices once at
// load time (same size as the file's blocks).
//
// Layout of one group of 8 rows: for each 32-element block, the 8 fp16 scales, then the quants:
//   Q4_0: 4 x 32 bytes; bytes 4r..4r+3 of vector m are row r's qs[4m..4m+3] (low nibbles:
//         elements 4m..4m+3, high nibbles: elements 16+4m..16+4m+3);
//   Q8_0: 8 x 32 bytes; bytes 4r..4r+3 of vector j are row r's qs[4j..4j+3].
//   Q5_0: the 8 rows' qh words, then the nibbles as Q4_0.
//   Q6_K: the 8 scales d, the sixteen sub-block scales as [sub-block][row], then per half block
//         (128 elements) and four elements l = 4m..4m+3 at a time, ql[l], ql[l + 32] and qh[l]
//         of each row.
// A group is 8 rows' worth of bytes, so group g starts where row 8g started.
//   Q4_K (per 256-element super-block): the 8 scales d and 8 dmin (fp16), the sub-block
//         scales and mins unpacked to bytes ([sub-block][row], 64 bytes each), then 4 x 8 x 32
//         bytes of quants: bytes 4r..4r+3 of vector (p, m) are row r's qs[32p+4m..+3] (low
//         nibbles: sub-block 2p, high: 2p+1). 148 bytes per row and super-block instead of
//         144: the CPU backend gives such a tensor rowBytes = interleavedRowBytes().

#include "quant/KernelsAvx2.h"
#include "quant/KernelsInternal.h"

#include <cstring>
#include <tuple>
#include <type_traits>
#include <vector>

namespace engine::quant::detail {
namespace {

using namespace avx2;

constexpr int kRows = 8;

struct GroupQ4_0 {
    Half d[kRows];
    uint8_t qs[4][32];
};
struct GroupQ8_0 {
    Half d[kRows];
    int8_t qs[8][32];
};
struct GroupQ5_0 {
    Half d[kRows];
    uint32_t qh[kRows];
    uint8_t qs[4][32];
};
struct GroupQ4_K {
    Half d[kRows];
    Half dmin[kRows];
    uint8_t scales[8][kRows];
    uint8_t mins[8][kRows];
    uint8_t qs[4][8][32];
};
struct GroupQ6_K {
    Half d[kRows];
    int8_t scales[16][kRows];
    // [half][m][ql[l], ql[l + 32], qh[l]][row r at 4r]: in the order the kernel reads them (read
    // in three interleaved streams, the same kernel ran 5x slower out of memory).
    uint8_t q[2][8][3][32];
};
static_assert(sizeof(GroupQ4_0) == kRows * sizeof(BlockQ4_0));
static_assert(sizeof(GroupQ6_K) == kRows * sizeof(BlockQ6_K));
static_assert(sizeof(GroupQ4_K) == kRows * 148);
static_assert(sizeof(GroupQ8_0) == kRows * sizeof(BlockQ8_0));
static_assert(sizeof(GroupQ5_0) == kRows * sizeof(BlockQ5_0));

// Group g of 8 rows starts at g · nb groups (the layout interleavedRowBytes describes); fill
// copies row r's block i into its group.
template <typename Group, typename Block, typename Fill>
void interleaveGroups(int64_t nb, int64_t nRows, const uint8_t* src, size_t srcStride, uint8_t* dst, Fill fill)
{
    for (int64_t g = 0; g < nRows / kRows; ++g) {
        Group* out = reinterpret_cast<Group*>(dst) + g * nb;
        for (int64_t i = 0; i < nb; ++i)
            for (int r = 0; r < kRows; ++r)
                fill(out[i], r, reinterpret_cast<const Block*>(src + static_cast<size_t>(g * kRows + r) * srcStride)[i]);
    }
}

template <typename Group, typename Block>
void interleave(int64_t n, int64_t nRows, const uint8_t* src, size_t srcStride, uint8_t* dst)
{
    constexpr int kVectors = sizeof(Group::qs) / 32;
    interleaveGroups<Group, Block>(n / kQK, nRows, src, srcStride, dst, [](Group& o, int r, const Block& b) {
        o.d[r] = b.d;
        for (int m = 0; m < kVectors; ++m)
            std::memcpy(&o.qs[m][4 * r], &b.qs[4 * m], 4);
    });
}

void interleaveQ5_0(int64_t n, int64_t nRows, const uint8_t* src, size_t srcStride, uint8_t* dst)
{
    interleaveGroups<GroupQ5_0, BlockQ5_0>(n / kQK, nRows, src, srcStride, dst, [](GroupQ5_0& o, int r, const BlockQ5_0& b) {
        o.d[r] = b.d;
        std::memcpy(&o.qh[r], b.qh, 4);
        for (int m = 0; m < 4; ++m)
            std::memcpy(&o.qs[m][4 * r], &b.qs[4 * m], 4);
    });
}

void interleaveQ6_K(int64_t n, int64_t nRows, const uint8_t* src, size_t srcStride, uint8_t* dst)
{
    interleaveGroups<GroupQ6_K, BlockQ6_K>(n / kQK_K, nRows, src, srcStride, dst, [](GroupQ6_K& o, int r, const BlockQ6_K& b) {
        o.d[r] = b.d;
        for (int j = 0; j < 16; ++j)
            o.scales[j][r] = b.scales[j];
        for (int h = 0; h < 2; ++h)
            for (int m = 0; m < 8; ++m) {
                std::memcpy(&o.q[h][m][0][4 * r], &b.ql[64 * h + 4 * m], 4);
                std::memcpy(&o.q[h][m][1][4 * r], &b.ql[64 * h + 32 + 4 * m], 4);
                std::memcpy(&o.q[h][m][2][4 * r], &b.qh[32 * h + 4 * m], 4);
            }
    });
}

void interleaveQ4_K(int64_t n, int64_t nRows, const uint8_t* src, size_t srcStride, uint8_t* dst)
{
    interleaveGroups<GroupQ4_K, BlockQ4_K>(n / kQK_K, nRows, src, srcStride, dst, [](GroupQ4_K& o, int r, const BlockQ4_K& b) {
        o.d[r] = b.d;
        o.dmin[r] = b.dmin;
        for (int j = 0; j < 8; ++j)
            kScaleMin(j, b.scales, o.scales[j][r], o.mins[j][r]);
        for (int p = 0; p < 4; ++p)
            for (int m = 0; m < 8; ++m)
                std::memcpy(&o.qs[p][m][4 * r], &b.qs[32 * p + 4 * m], 4);
    });
}

// For one activation row, per block: its scale and -offset * scale * sum(quants) (the offset
// term of the formats stored unsigned), computed once for all the groups of a task.
const float* offsetTerms(const BlockQ8_0* y, int64_t nb, float offset)
{
    thread_local std::vector<float> prep;
    if (static_cast<int64_t>(prep.size()) < 2 * nb)
        prep.resize(2 * nb);
    float* p = prep.data();
    for (int64_t i = 0; i < nb; ++i) {
        const float dy = h2f(y[i].d);
        p[2 * i] = dy;
        p[2 * i + 1] = -offset * dy * static_cast<float>(hsumI32(dotU8(_mm256_set1_epi8(1), loadu(y[i].qs))));
    }
    return p;
}

// One activation row against the groups of a task.
void q4_0Column(int64_t n, int64_t nGroups, const uint8_t* w, size_t groupStride, const BlockQ8_0* y, float* out)
{
    const int64_t nb = n / kQK;
    const float* p = offsetTerms(y, nb, 8.0f);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t g = 0; g < nGroups; ++g) {
        const auto* x = reinterpret_cast<const GroupQ4_0*>(w + static_cast<size_t>(g) * groupStride);
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
        for (int64_t i = 0; i < nb; ++i) {
            const GroupQ4_0& b = x[i];
            const int8_t* q = y[i].qs;
            __m256i s = _mm256_setzero_si256();
            for (int m = 0; m < 4; ++m) {
                const __m256i v = loadu(b.qs[m]);
                s = _mm256_add_epi16(s, _mm256_maddubs_epi16(_mm256_and_si256(v, low4), broadcast4(q + 4 * m)));
                keepInRegister(s);
                s = _mm256_add_epi16(s, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(v, 4), low4), broadcast4(q + 16 + 4 * m)));
                keepInRegister(s);
            }
            const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.d)));
            const __m256 prod = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(s, ones)), _mm256_broadcast_ss(p + 2 * i));
            acc0 = _mm256_fmadd_ps(d, prod, acc0);
            acc1 = _mm256_fmadd_ps(d, _mm256_broadcast_ss(p + 2 * i + 1), acc1);
        }
        _mm256_storeu_ps(out + kRows * g, _mm256_add_ps(acc0, acc1));
    }
}

// As Q4_0 with the fifth bit: values up to 31, so the int16 sums are widened every 4 chunks.
void q5_0Column(int64_t n, int64_t nGroups, const uint8_t* w, size_t groupStride, const BlockQ8_0* y, float* out)
{
    const int64_t nb = n / kQK;
    const float* p = offsetTerms(y, nb, 16.0f);
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t g = 0; g < nGroups; ++g) {
        const auto* x = reinterpret_cast<const GroupQ5_0*>(w + static_cast<size_t>(g) * groupStride);
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
        for (int64_t i = 0; i < nb; ++i) {
            const GroupQ5_0& b = x[i];
            const int8_t* q = y[i].qs;
            const __m256i qh = loadu(b.qh);
            __m256i s[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
            for (int m = 0; m < 4; ++m) {
                __m256i lo, hi;
                q5_0InterleavedPair(loadu(b.qs[m]), _mm256_srli_epi32(qh, 4 * m), lo, hi);
                s[m / 2] = _mm256_add_epi16(s[m / 2], _mm256_maddubs_epi16(lo, broadcast4(q + 4 * m)));
                keepInRegister(s[m / 2]);
                s[m / 2] = _mm256_add_epi16(s[m / 2], _mm256_maddubs_epi16(hi, broadcast4(q + 16 + 4 * m)));
                keepInRegister(s[m / 2]);
            }
            const __m256i isum = _mm256_add_epi32(_mm256_madd_epi16(s[0], ones), _mm256_madd_epi16(s[1], ones));
            const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.d)));
            const __m256 prod = _mm256_mul_ps(_mm256_cvtepi32_ps(isum), _mm256_broadcast_ss(p + 2 * i));
            acc0 = _mm256_fmadd_ps(d, prod, acc0);
            acc1 = _mm256_fmadd_ps(d, _mm256_broadcast_ss(p + 2 * i + 1), acc1);
        }
        _mm256_storeu_ps(out + kRows * g, _mm256_add_ps(acc0, acc1));
    }
}

void q8_0Column(int64_t n, int64_t nGroups, const uint8_t* w, size_t groupStride, const BlockQ8_0* y, float* out)
{
    const int64_t nb = n / kQK;
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t g = 0; g < nGroups; ++g) {
        const auto* x = reinterpret_cast<const GroupQ8_0*>(w + static_cast<size_t>(g) * groupStride);
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
        for (int64_t i = 0; i < nb; ++i) {
            const GroupQ8_0& b = x[i];
            const int8_t* q = y[i].qs;
            __m256i s[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
            for (int j = 0; j < 8; ++j) {
                const __m256i v = loadu(b.qs[j]);
                const __m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(v), _mm256_sign_epi8(broadcast4(q + 4 * j), v));
                s[j % 2] = _mm256_add_epi32(s[j % 2], _mm256_madd_epi16(p, ones));
            }
            const __m256 d = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.d))),
                                           _mm256_set1_ps(h2f(y[i].d)));
            const __m256 f = _mm256_cvtepi32_ps(_mm256_add_epi32(s[0], s[1]));
            if (i % 2)
                acc1 = _mm256_fmadd_ps(d, f, acc1);
            else
                acc0 = _mm256_fmadd_ps(d, f, acc0);
        }
        _mm256_storeu_ps(out + kRows * g, _mm256_add_ps(acc0, acc1));
    }
}

inline __m256i bytesToInt32(const uint8_t* p)
{
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

// Per super-block: the sub-block integer sums scaled by the 6-bit scales in int32 (exact), the
// min term from the activation's block sums, then one float step for eight rows.
void q4_KColumn(int64_t n, int64_t nGroups, const uint8_t* w, size_t groupStride, const BlockQ8_K* y, float* out)
{
    const int64_t nb = n / kQK_K;
    thread_local std::vector<int32_t> pairSums;
    if (static_cast<int64_t>(pairSums.size()) < 8 * nb)
        pairSums.resize(8 * nb);
    for (int64_t i = 0; i < nb; ++i)
        for (int j = 0; j < 8; ++j)
            pairSums[8 * i + j] = y[i].bsums[2 * j] + y[i].bsums[2 * j + 1];
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t g = 0; g < nGroups; ++g) {
        const auto* x = reinterpret_cast<const GroupQ4_K*>(w + static_cast<size_t>(g) * groupStride);
        __m256 acc = _mm256_setzero_ps();
        for (int64_t i = 0; i < nb; ++i) {
            const GroupQ4_K& b = x[i];
            const int8_t* q = y[i].qs;
            __m256i isum = _mm256_setzero_si256();
            for (int p = 0; p < 4; ++p) {
                __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
                for (int m = 0; m < 8; ++m) {
                    const __m256i v = loadu(b.qs[p][m]);
                    lo = _mm256_add_epi16(lo, _mm256_maddubs_epi16(_mm256_and_si256(v, low4), broadcast4(q + 64 * p + 4 * m)));
                    keepInRegister(lo);
                    hi = _mm256_add_epi16(hi, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(v, 4), low4),
                                                                   broadcast4(q + 64 * p + 32 + 4 * m)));
                    keepInRegister(hi);
                }
                isum = _mm256_add_epi32(isum, _mm256_mullo_epi32(_mm256_madd_epi16(lo, ones), bytesToInt32(b.scales[2 * p])));
                isum = _mm256_add_epi32(isum, _mm256_mullo_epi32(_mm256_madd_epi16(hi, ones), bytesToInt32(b.scales[2 * p + 1])));
            }
            __m256i msum = _mm256_setzero_si256();
            for (int j = 0; j < 8; ++j)
                msum = _mm256_add_epi32(msum, _mm256_mullo_epi32(bytesToInt32(b.mins[j]), _mm256_set1_epi32(pairSums[8 * i + j])));
            const __m256 dy = _mm256_set1_ps(y[i].d);
            const __m256 d = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.d))), dy);
            const __m256 dmin = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.dmin))), dy);
            acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(isum), acc);
            acc = _mm256_fnmadd_ps(dmin, _mm256_cvtepi32_ps(msum), acc);
        }
        _mm256_storeu_ps(out + kRows * g, acc);
    }
}

// Per super-block: each 16-element group's integer sum times its signed scale in int32 (values
// 0..63: two chunks per int16 sum), minus 32 times the scaled activation sums, then one float
// step for eight rows.
void q6_KColumn(int64_t n, int64_t nGroups, const uint8_t* w, size_t groupStride, const BlockQ8_K* y, float* out)
{
    const int64_t nb = n / kQK_K;
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t g = 0; g < nGroups; ++g) {
        const auto* x = reinterpret_cast<const GroupQ6_K*>(w + static_cast<size_t>(g) * groupStride);
        __m256 acc = _mm256_setzero_ps();
        for (int64_t i = 0; i < nb; ++i) {
            const GroupQ6_K& b = x[i];
            const int8_t* q = y[i].qs;
            __m256i isum = _mm256_setzero_si256();
            for (int h = 0; h < 2; ++h) {
                for (int mh = 0; mh < 2; ++mh) {
                    __m256i i32[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
                    for (int m2 = 0; m2 < 4; m2 += 2) {
                        __m256i s16[4];
                        for (int mm = 0; mm < 2; ++mm) {
                            const int m = 4 * mh + m2 + mm;
                            __m256i e[4];
                            q6_KInterleavedQuad(loadu(b.q[h][m][0]), loadu(b.q[h][m][1]), loadu(b.q[h][m][2]), e);
                            for (int k = 0; k < 4; ++k) {
                                const __m256i p = _mm256_maddubs_epi16(e[k], broadcast4(q + 128 * h + 32 * k + 4 * m));
                                s16[k] = mm == 0 ? p : _mm256_add_epi16(s16[k], p);
                            }
                        }
                        for (int k = 0; k < 4; ++k)
                            i32[k] = _mm256_add_epi32(i32[k], _mm256_madd_epi16(s16[k], ones));
                    }
                    for (int k = 0; k < 4; ++k) {
                        const __m256i sc = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b.scales[8 * h + mh + 2 * k])));
                        isum = _mm256_add_epi32(isum, _mm256_mullo_epi32(i32[k], sc));
                    }
                }
            }
            // The -32 offset: 32 * sum over the 16-element groups of scale * (sum of the activations).
            __m256i off = _mm256_setzero_si256();
            for (int j = 0; j < 16; ++j) {
                const __m256i sc = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b.scales[j])));
                off = _mm256_add_epi32(off, _mm256_mullo_epi32(sc, _mm256_set1_epi32(y[i].bsums[j])));
            }
            isum = _mm256_sub_epi32(isum, _mm256_slli_epi32(off, 5));
            const __m256 d = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.d))), _mm256_set1_ps(y[i].d));
            acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(isum), acc);
        }
        _mm256_storeu_ps(out + kRows * g, acc);
    }
}

template <typename F>
struct FunctionArgs;
template <typename R, typename... A>
struct FunctionArgs<R (*)(A...)> {
    using type = std::tuple<A...>;
};

template <auto Column>
void interleavedTile(int64_t n, int64_t nRows, int64_t nCols, const void* weights, size_t weightStride, const void* acts,
                     size_t actStride, float* out, size_t outStride)
{
    using Act = std::remove_pointer_t<std::tuple_element_t<4, typename FunctionArgs<decltype(Column)>::type>>;
    for (int64_t c = 0; c < nCols; ++c)
        Column(n, nRows / kRows, static_cast<const uint8_t*>(weights), kRows * weightStride,
               reinterpret_cast<const Act*>(static_cast<const uint8_t*>(acts) + static_cast<size_t>(c) * actStride),
               out + static_cast<size_t>(c) * outStride);
}

} // namespace

bool avx2CanInterleave(TensorType weightType)
{
    return weightType == TensorType::Q4_0 || weightType == TensorType::Q5_0 || weightType == TensorType::Q8_0 ||
           weightType == TensorType::Q4_K || weightType == TensorType::Q6_K;
}

size_t avx2InterleavedRowBytes(TensorType weightType, int64_t n)
{
    if (weightType == TensorType::Q4_K)
        return static_cast<size_t>(n / kQK_K) * 148;
    if (weightType == TensorType::Q6_K)
        return static_cast<size_t>(n / kQK_K) * sizeof(BlockQ6_K);
    const size_t block = weightType == TensorType::Q4_0 ? sizeof(BlockQ4_0) : weightType == TensorType::Q5_0 ? sizeof(BlockQ5_0) : sizeof(BlockQ8_0);
    return static_cast<size_t>(n / kQK) * block;
}

void avx2InterleaveRows(TensorType weightType, int64_t n, int64_t nRows, const void* src, size_t srcStride, void* dst)
{
    const auto* s = static_cast<const uint8_t*>(src);
    auto* d = static_cast<uint8_t*>(dst);
    if (weightType == TensorType::Q4_0)
        interleave<GroupQ4_0, BlockQ4_0>(n, nRows, s, srcStride, d);
    else if (weightType == TensorType::Q8_0)
        interleave<GroupQ8_0, BlockQ8_0>(n, nRows, s, srcStride, d);
    else if (weightType == TensorType::Q5_0)
        interleaveQ5_0(n, nRows, s, srcStride, d);
    else if (weightType == TensorType::Q4_K)
        interleaveQ4_K(n, nRows, s, srcStride, d);
    else if (weightType == TensorType::Q6_K)
        interleaveQ6_K(n, nRows, s, srcStride, d);
}

MatMulTileFn avx2InterleavedTile(TensorType weightType)
{
    switch (weightType) {
    case TensorType::Q4_0: return interleavedTile<q4_0Column>;
    case TensorType::Q8_0: return interleavedTile<q8_0Column>;
    case TensorType::Q5_0: return interleavedTile<q5_0Column>;
    case TensorType::Q4_K: return interleavedTile<q4_KColumn>;
    case TensorType::Q6_K: return interleavedTile<q6_KColumn>;
    default: return nullptr;
    }
}

} // namespace engine::quant::detail
