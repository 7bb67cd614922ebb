// AVX2 matrix-product tiles (Kernels.h, matMulTile): R weight rows x C activation rows held in
// registers, so a decoded weight block serves C activation rows and a loaded activation block
// serves R weight rows. The per-format part is the decoder of KernelsAvx2.h, as in the dot
// products; only the loop nest differs. Compiled with -mavx2 -mfma -mf16c.

#include "quant/KernelsAvx2.h"
#include "quant/KernelsInternal.h"

#include <array>
#include <type_traits>
#include <utility>
#include <vector>

namespace engine::quant::detail {
namespace {

using namespace avx2;

// Where the tile reads and writes: rows of weights, rows of activations, the output matrix.
struct TileArgs {
    int64_t n;
    const uint8_t* w;
    size_t ws;
    const uint8_t* a;
    size_t as;
    float* out;
    size_t os;
};

// How far ahead of the block being read the tiles prefetch each weight row.
constexpr int kPrefetchBytes = 512;

template <typename Block>
const Block* rowOf(const uint8_t* base, size_t stride, int index)
{
    return reinterpret_cast<const Block*>(base + static_cast<size_t>(index) * stride);
}

// ---- 32-element symmetric formats against Q8_0 ----
template <typename DecoderT>
struct SymmetricTile {
    using Decoder = DecoderT;
    static constexpr bool kSymmetricColumn = true;
    template <int R, int C>
    static void run(const TileArgs& t)
    {
        if constexpr (R == 1 && C == 1) {
            dotSymmetric<Decoder>(t.n, t.out, t.w, t.a);
            return;
        }
        using Block = typename Decoder::Block;
        constexpr bool kUnsigned = Decoder::kOffset != 0;
        const int64_t nb = t.n / kQK;
        __m256 acc[R][C];
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c)
                acc[r][c] = _mm256_setzero_ps();
        for (int64_t i = 0; i < nb; ++i) {
            __m256i q[R], absQ[R];
            __m256 dx[R];
            for (int r = 0; r < R; ++r) {
                const Block& b = rowOf<Block>(t.w, t.ws, r)[i];
                // Several rows are several short streams, which the hardware prefetcher follows
                // poorly; ask for each row's data a few hundred bytes ahead.
                _mm_prefetch(reinterpret_cast<const char*>(&b) + kPrefetchBytes, _MM_HINT_T0);
                if constexpr (kUnsigned) {
                    q[r] = Decoder::u(b);
                } else {
                    q[r] = Decoder::q(b);
                    absQ[r] = _mm256_sign_epi8(q[r], q[r]);
                }
                dx[r] = _mm256_set1_ps(h2f(b.d));
            }
            for (int c = 0; c < C; ++c) {
                const BlockQ8_0& yb = rowOf<BlockQ8_0>(t.a, t.as, c)[i];
                const __m256i y = loadu(yb.qs);
                const __m256 dy = _mm256_set1_ps(h2f(yb.d));
                if constexpr (kUnsigned) {
                    // sum((u - offset) * y) = sum(u * y) - offset * sum(y), the latter shared by the rows.
                    const __m256i offset = dotU8(_mm256_set1_epi8(static_cast<char>(Decoder::kOffset)), y);
                    for (int r = 0; r < R; ++r) {
                        const __m256i p = _mm256_sub_epi32(dotU8(q[r], y), offset);
                        acc[r][c] = _mm256_fmadd_ps(_mm256_mul_ps(dx[r], dy), _mm256_cvtepi32_ps(p), acc[r][c]);
                    }
                } else {
                    for (int r = 0; r < R; ++r) {
                        const __m256i p = dotU8(absQ[r], _mm256_sign_epi8(y, q[r]));
                        acc[r][c] = _mm256_fmadd_ps(_mm256_mul_ps(dx[r], dy), _mm256_cvtepi32_ps(p), acc[r][c]);
                    }
                }
            }
        }
        for (int c = 0; c < C; ++c)
            for (int r = 0; r < R; ++r)
                t.out[static_cast<size_t>(c) * t.os + static_cast<size_t>(r)] = hsum(acc[r][c]);
    }
};

// One activation row against many weight rows (generation), for the 32-element symmetric
// formats. What depends only on the activation row is computed once for all the rows of the
// call: each block's fp16 scale as a float and, for the offset formats, offset * sum(y) per
// 4-element lane. Per weight block that leaves the decode, one maddubs, one madd, one add; the
// weight scales are converted 8 blocks at a time. Same integers per lane, same float products
// and the same two accumulators (even / odd blocks) as dotSymmetric: bit-identical results.
template <typename Decoder>
void symmetricColumn(int64_t n, int64_t nRows, const uint8_t* w, size_t ws, const BlockQ8_0* y, float* out)
{
    using Block = typename Decoder::Block;
    constexpr bool kUnsigned = Decoder::kOffset != 0;
    const int64_t nb = n / kQK;
    thread_local std::vector<float> dyBuf;
    thread_local std::vector<int32_t> offBuf;
    if (static_cast<int64_t>(dyBuf.size()) < nb)
        dyBuf.resize(nb);
    if (kUnsigned && static_cast<int64_t>(offBuf.size()) < nb * 8)
        offBuf.resize(nb * 8);
    float* dy = dyBuf.data();
    int32_t* off = offBuf.data();
    for (int64_t i = 0; i < nb; ++i) {
        dy[i] = h2f(y[i].d);
        if constexpr (kUnsigned) {
            const __m256i o = dotU8(_mm256_set1_epi8(static_cast<char>(Decoder::kOffset)), loadu(y[i].qs));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(off + 8 * i), _mm256_sub_epi32(_mm256_setzero_si256(), o));
        }
    }
    auto blockInt = [&](const Block& b, int64_t i) {
        if constexpr (kUnsigned)
            return _mm256_add_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(Decoder::u(b), loadu(y[i].qs)), _mm256_set1_epi16(1)),
                                    loadu(off + 8 * i));
        else
            return dotI8(Decoder::q(b), loadu(y[i].qs));
    };
    for (int64_t r = 0; r < nRows; ++r) {
        const Block* x = rowOf<Block>(w, ws, static_cast<int>(r));
        __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
        int64_t i = 0;
        for (; i + 8 <= nb; i += 8) {
            __m128i h = _mm_cvtsi32_si128(x[i].d);
            h = _mm_insert_epi16(h, x[i + 1].d, 1);
            h = _mm_insert_epi16(h, x[i + 2].d, 2);
            h = _mm_insert_epi16(h, x[i + 3].d, 3);
            h = _mm_insert_epi16(h, x[i + 4].d, 4);
            h = _mm_insert_epi16(h, x[i + 5].d, 5);
            h = _mm_insert_epi16(h, x[i + 6].d, 6);
            h = _mm_insert_epi16(h, x[i + 7].d, 7);
            const __m256 d = _mm256_mul_ps(_mm256_cvtph_ps(h), _mm256_loadu_ps(dy + i));
            for (int k = 0; k < 8; ++k) {
                const __m256 p = _mm256_cvtepi32_ps(blockInt(x[i + k], i + k));
                acc[k % 2] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(d, _mm256_set1_epi32(k)), p, acc[k % 2]);
            }
        }
        for (; i < nb; ++i) {
            const __m256 p = _mm256_cvtepi32_ps(blockInt(x[i], i));
            acc[i % 2] = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x[i].d) * dy[i]), p, acc[i % 2]);
        }
        out[r] = hsum(_mm256_add_ps(acc[0], acc[1]));
    }
}

// ---- 32-element formats with a min, against Q8_1 ----
template <typename Decoder>
struct WithMinTile {
    template <int R, int C>
    static void run(const TileArgs& t)
    {
        if constexpr (R == 1 && C == 1) {
            dotWithMin<Decoder>(t.n, t.out, t.w, t.a);
            return;
        }
        using Block = typename Decoder::Block;
        const int64_t nb = t.n / kQK;
        __m256 acc[R][C];
        float mins[R][C] = {};
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c)
                acc[r][c] = _mm256_setzero_ps();
        for (int64_t i = 0; i < nb; ++i) {
            __m256i q[R];
            float dx[R], mx[R];
            for (int r = 0; r < R; ++r) {
                const Block& b = rowOf<Block>(t.w, t.ws, r)[i];
                _mm_prefetch(reinterpret_cast<const char*>(&b) + kPrefetchBytes, _MM_HINT_T0);
                q[r] = Decoder::q(b);
                dx[r] = h2f(b.d);
                mx[r] = h2f(b.m);
            }
            for (int c = 0; c < C; ++c) {
                const BlockQ8_1& yb = rowOf<BlockQ8_1>(t.a, t.as, c)[i];
                const __m256i y = loadu(yb.qs);
                const float dy = h2f(yb.d), sy = h2f(yb.s);
                for (int r = 0; r < R; ++r) {
                    acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(dx[r] * dy), _mm256_cvtepi32_ps(dotU8(q[r], y)), acc[r][c]);
                    mins[r][c] += mx[r] * sy;
                }
            }
        }
        for (int c = 0; c < C; ++c)
            for (int r = 0; r < R; ++r)
                t.out[static_cast<size_t>(c) * t.os + static_cast<size_t>(r)] = hsum(acc[r][c]) + mins[r][c];
    }
};

// ---- super-block formats against Q8_K ----
template <typename Decoder, size_t... I>
std::array<Decoder, sizeof...(I)> decoders(const TileArgs& t, int64_t i, std::index_sequence<I...>)
{
    using Block = typename Decoder::Block;
    return {Decoder(rowOf<Block>(t.w, t.ws, static_cast<int>(I))[i])...};
}

template <typename Decoder>
struct SuperTile {
    template <int R, int C>
    static void run(const TileArgs& t)
    {
        if constexpr (R == 1 && C == 1) {
            dotSuper<Decoder>(t.n, t.out, t.w, t.a);
            return;
        }
        const int64_t nb = t.n / kQK_K;
        // Scale terms in vector lanes across super-blocks (one horizontal sum per output at the
        // end); the offset/min terms, integers from the activation block sums, in scalars.
        __m256 acc[R][C];
        float rest[R][C] = {};
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c)
                acc[r][c] = _mm256_setzero_ps();
        for (int64_t i = 0; i < nb; ++i) {
            const std::array<Decoder, R> dec = decoders<Decoder>(t, i, std::make_index_sequence<R>{});
            const BlockQ8_K* yb[C];
            for (int c = 0; c < C; ++c)
                yb[c] = &rowOf<BlockQ8_K>(t.a, t.as, c)[i];
            __m256i sumi[R][C];
            for (int r = 0; r < R; ++r)
                for (int c = 0; c < C; ++c)
                    sumi[r][c] = _mm256_setzero_si256();
            for (int j = 0; j < kQK_K / 32; ++j) {
                __m256i q[R], s[R];
                for (int r = 0; r < R; ++r) {
                    q[r] = dec[r].chunk(j);
                    s[r] = dec[r].scales(j);
                }
                for (int c = 0; c < C; ++c) {
                    const __m256i y = loadu(yb[c]->qs + 32 * j);
                    for (int r = 0; r < R; ++r) {
                        __m256i p16;
                        if constexpr (Decoder::kSigned)
                            p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(q[r], q[r]), _mm256_sign_epi8(y, q[r]));
                        else
                            p16 = _mm256_maddubs_epi16(q[r], y);
                        sumi[r][c] = _mm256_add_epi32(sumi[r][c], _mm256_madd_epi16(s[r], p16));
                    }
                }
            }
            for (int c = 0; c < C; ++c) {
                const float dy = yb[c]->d;
                for (int r = 0; r < R; ++r) {
                    const float d = dec[r].d * dy;
                    acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi[r][c]), acc[r][c]);
                    rest[r][c] -= d * static_cast<float>(dec[r].offsetTerm(yb[c]->bsums));
                    if constexpr (Decoder::kHasMins)
                        rest[r][c] -= dec[r].dmin * dy * static_cast<float>(dec[r].minSum(yb[c]->bsums));
                }
            }
        }
        for (int c = 0; c < C; ++c)
            for (int r = 0; r < R; ++r)
                t.out[static_cast<size_t>(c) * t.os + static_cast<size_t>(r)] = hsum(acc[r][c]) + rest[r][c];
    }
};

// ---- plain float formats ----
template <typename Load>
struct FloatTile {
    static constexpr bool kFloat = true;
    template <int R, int C>
    static void run(const TileArgs& t)
    {
        if constexpr (R == 1 && C == 1) {
            dotFloat<Load>(t.n, t.out, t.w, t.a);
            return;
        }
        using T = typename Load::T;
        __m256 acc[R][C];
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c)
                acc[r][c] = _mm256_setzero_ps();
        int64_t k = 0;
        for (; k + 8 <= t.n; k += 8) {
            if constexpr (R > C) {
                __m256 y[C];
                for (int c = 0; c < C; ++c)
                    y[c] = Load::load(rowOf<T>(t.a, t.as, c) + k);
                for (int r = 0; r < R; ++r) {
                    const __m256 x = Load::load(rowOf<T>(t.w, t.ws, r) + k);
                    for (int c = 0; c < C; ++c)
                        acc[r][c] = _mm256_fmadd_ps(x, y[c], acc[r][c]);
                }
            } else {
                __m256 x[R];
                for (int r = 0; r < R; ++r)
                    x[r] = Load::load(rowOf<T>(t.w, t.ws, r) + k);
                for (int c = 0; c < C; ++c) {
                    const __m256 y = Load::load(rowOf<T>(t.a, t.as, c) + k);
                    for (int r = 0; r < R; ++r)
                        acc[r][c] = _mm256_fmadd_ps(x[r], y, acc[r][c]);
                }
            }
        }
        if constexpr (R == 4) {
            if (k == t.n) {
                // Four sums at once (one hadd tree instead of four reductions: ~5 % of the
                // work of a 4 x 3 tile over 896 elements otherwise).
                for (int c = 0; c < C; ++c) {
                    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(acc[0][c], acc[1][c]), _mm256_hadd_ps(acc[2][c], acc[3][c]));
                    _mm_storeu_ps(t.out + static_cast<size_t>(c) * t.os,
                                  _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
                }
                return;
            }
        }
        for (int c = 0; c < C; ++c)
            for (int r = 0; r < R; ++r) {
                double sum = hsum(acc[r][c]);
                const T* x = rowOf<T>(t.w, t.ws, r);
                const T* y = rowOf<T>(t.a, t.as, c);
                for (int64_t e = k; e < t.n; ++e)
                    sum += static_cast<double>(Load::scalar(x[e]) * Load::scalar(y[e]));
                t.out[static_cast<size_t>(c) * t.os + static_cast<size_t>(r)] = static_cast<float>(sum);
            }
    }
};

// Covers the nRows x nCols output with R x C tiles: 2 x 4 while there are 4 activation rows
// (prefill), then row by row. A single activation row (generation) is read from memory, and
// there one sequential stream through the weights beats interleaving several rows: measured
// 4-row tiles at 2-4 GB/s against 5-16 GB/s row by row on a matrix larger than the caches (the
// prefetcher follows one long stream better than several short ones).
template <typename Kernel>
void tile(int64_t n, int64_t nRows, int64_t nCols, const void* weights, size_t weightStride, const void* acts,
          size_t actStride, float* out, size_t outStride)
{
    const auto* w = static_cast<const uint8_t*>(weights);
    const auto* a = static_cast<const uint8_t*>(acts);
    auto at = [&](int64_t r, int64_t c) {
        return TileArgs{n, w + static_cast<size_t>(r) * weightStride, weightStride,
                        a + static_cast<size_t>(c) * actStride, actStride,
                        out + static_cast<size_t>(c) * outStride + static_cast<size_t>(r), outStride};
    };
    int64_t c = 0;
    if constexpr (requires { Kernel::kFloat; }) {
        // Float formats: 4 x 3 register tiles, the three activation vectors held and the four
        // weight vectors converted as they are used (seven conversions per twelve multiply-adds,
        // sixteen registers, no spills; 2 x 6 needed eight). One core, F16: 2 x 6 41.2, 4 x 3
        // 41.8 GMAC/s; qwen2-0.5b pp512 +2 %.
        for (; c + 3 <= nCols; c += 3) {
            int64_t r = 0;
            for (; r + 4 <= nRows; r += 4)
                Kernel::template run<4, 3>(at(r, c));
            for (; r < nRows; ++r)
                Kernel::template run<1, 3>(at(r, c));
        }
        // One or two columns left after the strips (a 128-token chunk leaves two, seven heads
        // of a KV head one): 4 x 1 and 4 x 2 tiles instead of row by row. Not for a call that
        // has only one or two columns: generation streams the weights row by row.
        auto rest = [&](auto cols) {
            constexpr int C = decltype(cols)::value;
            int64_t r = 0;
            for (; r + 4 <= nRows; r += 4)
                Kernel::template run<4, C>(at(r, c));
            for (; r < nRows; ++r)
                Kernel::template run<1, C>(at(r, c));
        };
        if (c > 0 && nCols - c == 2)
            rest(std::integral_constant<int, 2>{});
        else if (c > 0 && nCols - c == 1)
            rest(std::integral_constant<int, 1>{});
        c = c > 0 ? nCols : c;
    }
    for (; c + 4 <= nCols; c += 4) {
        int64_t r = 0;
        for (; r + 2 <= nRows; r += 2)
            Kernel::template run<2, 4>(at(r, c));
        for (; r < nRows; ++r)
            Kernel::template run<1, 4>(at(r, c));
    }
    for (; c < nCols; ++c) {
        if constexpr (requires { Kernel::kSymmetricColumn; }) {
            symmetricColumn<typename Kernel::Decoder>(n, nRows, w, weightStride,
                                                      reinterpret_cast<const BlockQ8_0*>(a + static_cast<size_t>(c) * actStride),
                                                      out + static_cast<size_t>(c) * outStride);
            continue;
        }
        for (int64_t r = 0; r < nRows; ++r)
            Kernel::template run<1, 1>(at(r, c));
    }
}

} // namespace

MatMulTileFn avx2MatMulTile(TensorType weightType)
{
    switch (weightType) {
    case TensorType::F32: return tile<FloatTile<LoadF32>>;
    case TensorType::F16: return tile<FloatTile<LoadF16>>;
    case TensorType::BF16: return tile<FloatTile<LoadBF16>>;
    case TensorType::Q4_0: return tile<SymmetricTile<DecodeQ4_0>>;
    case TensorType::Q5_0: return tile<SymmetricTile<DecodeQ5_0>>;
    case TensorType::Q8_0: return tile<SymmetricTile<DecodeQ8_0>>;
    case TensorType::IQ4_NL: return tile<SymmetricTile<DecodeIQ4_NL>>;
    case TensorType::Q4_1: return tile<WithMinTile<DecodeQ4_1>>;
    case TensorType::Q5_1: return tile<WithMinTile<DecodeQ5_1>>;
    case TensorType::Q2_K: return tile<SuperTile<DecodeQ2_K>>;
    case TensorType::Q3_K: return tile<SuperTile<DecodeQ3_K>>;
    case TensorType::Q4_K: return tile<SuperTile<DecodeQ4_K>>;
    case TensorType::Q5_K: return tile<SuperTile<DecodeQ5_K>>;
    case TensorType::Q6_K: return tile<SuperTile<DecodeQ6_K>>;
    case TensorType::IQ4_XS: return tile<SuperTile<DecodeIQ4_XS>>;
    default: return nullptr;
    }
}

} // namespace engine::quant::detail
