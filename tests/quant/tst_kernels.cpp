// Dot-product kernels: for every weight type, the scalar reference against a double-precision
// dot of the dequantized operands, the dispatched (AVX2) kernels against the reference, and the
// activation conversion (bit-identical between ISAs).

#include "quant/Kernels.h"
#include "quant/Quant.h"

#include "core/CpuFeatures.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <vector>

using namespace engine::quant;

namespace {

const TensorType kWeightTypes[] = {
    TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q4_0, TensorType::Q4_1,
    TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0, TensorType::Q2_K, TensorType::Q3_K,
    TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K, TensorType::IQ4_NL, TensorType::IQ4_XS,
};

// The kernels work in blocks of 32 or 256 (the plain types in blocks of 1, tested at 32).
int64_t unit(TensorType t)
{
    return std::max<int64_t>(traits(t).blockSize, 32);
}

std::vector<float> normal(int64_t n, uint32_t seed, float sigma = 1.0f)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, sigma);
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v)
        x = dist(rng);
    return v;
}

struct Operands {
    std::vector<uint8_t> weight;
    std::vector<uint8_t> act;
    std::vector<float> weightF;  // dequantized weight
    std::vector<float> actF;     // dequantized activation
};

Operands make(TensorType t, int64_t n, uint32_t seed)
{
    Operands o;
    const auto w = normal(n, seed);
    // Activations with an outlier channel, as real hidden states have.
    auto a = normal(n, seed + 1000, 0.5f);
    a[static_cast<size_t>(seed % n)] = 8.0f;
    o.weight.resize(*rowBytes(t, n));
    quantizeRow(t, w.data(), o.weight.data(), n);
    o.act.resize(activationRowBytes(t, n));
    quantizeActivationsScalar(t, a.data(), o.act.data(), n);
    o.weightF.resize(static_cast<size_t>(n));
    o.actF.resize(static_cast<size_t>(n));
    dequantizeRow(t, o.weight.data(), o.weightF.data(), n);
    dequantizeRow(activationType(t), o.act.data(), o.actF.data(), n);
    return o;
}

// nRows weight rows and nCols activation rows of n elements, each packed row after row.
struct Matrices {
    std::vector<uint8_t> w, a;
    size_t ws = 0, as = 0; // bytes per weight row, per activation row
};

Matrices makeMatrices(TensorType t, int64_t n, int64_t nRows, int64_t nCols, uint32_t rowSeed, uint32_t colSeed)
{
    Matrices m;
    for (int64_t r = 0; r < nRows; ++r) {
        const Operands o = make(t, n, static_cast<uint32_t>(rowSeed + r));
        m.ws = o.weight.size();
        m.w.insert(m.w.end(), o.weight.begin(), o.weight.end());
    }
    for (int64_t c = 0; c < nCols; ++c) {
        const Operands o = make(t, n, static_cast<uint32_t>(colSeed + c));
        m.as = o.act.size();
        m.a.insert(m.a.end(), o.act.begin(), o.act.end());
    }
    return m;
}

QString label(TensorType t, int64_t n)
{
    return QStringLiteral("%1 n=%2").arg(QString::fromLatin1(typeName(t).data(), static_cast<int>(typeName(t).size()))).arg(n);
}

} // namespace

class TestKernels : public QObject {
    Q_OBJECT
private slots:
    void activationTypes()
    {
        QCOMPARE(activationType(TensorType::Q4_0), TensorType::Q8_0);
        QCOMPARE(activationType(TensorType::IQ4_NL), TensorType::Q8_0);
        QCOMPARE(activationType(TensorType::Q5_1), TensorType::Q8_1);
        QCOMPARE(activationType(TensorType::Q6_K), TensorType::Q8_K);
        QCOMPARE(activationType(TensorType::IQ4_XS), TensorType::Q8_K);
        QCOMPARE(activationType(TensorType::F16), TensorType::F16);
        QCOMPARE(activationType(TensorType::BF16), TensorType::BF16);
        QCOMPARE(activationRowBytes(TensorType::Q4_K, 512), size_t(2 * 292));
        for (TensorType t : kWeightTypes)
            QVERIFY(hasVecDot(t));
        QVERIFY(!hasVecDot(TensorType::IQ2_XXS));
    }

    // The reference dot equals the exact dot of what the two rows decode to, up to float
    // accumulation: the integer sums are exact, only the per-block scaling rounds.
    void scalarMatchesDequantizedDot()
    {
        for (TensorType t : kWeightTypes) {
            for (int64_t blocks : {1, 3, 7, 33}) {
                const int64_t n = unit(t) * blocks;
                const Operands o = make(t, n, static_cast<uint32_t>(blocks * 31 + static_cast<int>(t)));
                double exact = 0, magnitude = 0;
                for (int64_t i = 0; i < n; ++i) {
                    exact += static_cast<double>(o.weightF[i]) * o.actF[i];
                    magnitude += std::fabs(static_cast<double>(o.weightF[i]) * o.actF[i]);
                }
                if (activationType(t) == TensorType::Q8_1) {
                    // With Q8_1 the min term is m * s, s the block's stored fp16 of d * sum(q):
                    // replace m * sum(dequantized activations) by exactly that.
                    const size_t wBytes = static_cast<size_t>(traits(t).typeSize);
                    for (int64_t b = 0; b < n / 32; ++b) {
                        const uint8_t* wb = o.weight.data() + b * wBytes;
                        const uint8_t* ab = o.act.data() + b * 36;
                        const double m = f16ToF32(static_cast<uint16_t>(wb[2] | (wb[3] << 8)));
                        const double s = f16ToF32(static_cast<uint16_t>(ab[2] | (ab[3] << 8)));
                        double sumA = 0;
                        for (int j = 0; j < 32; ++j)
                            sumA += o.actF[b * 32 + j];
                        exact += m * s - m * sumA;
                        magnitude += std::fabs(m * s);
                    }
                }
                float got = 0;
                vecDotScalar(t)(n, &got, o.weight.data(), o.act.data());
                QVERIFY2(std::fabs(got - exact) <= 2e-6 * magnitude + 1e-30,
                         qPrintable(label(t, n) + QStringLiteral(": got %1, exact %2").arg(got).arg(exact)));
            }
        }
    }

    // The dispatched kernel (AVX2 here when the CPU has it) agrees with the reference to float
    // rounding: NMSE over many rows below 1e-10 (the integer parts are exact in both).
    void dispatchedMatchesScalar()
    {
        if (!engine::cpuFeatures().hasAvx2Fma())
            qInfo("no AVX2 on this CPU (or INKSTONE_CPU caps it): the dispatched kernels are the scalar ones");
        for (TensorType t : kWeightTypes) {
            for (int64_t blocks : {1, 3, 7, 33}) {
                const int64_t n = unit(t) * blocks;
                double num = 0, den = 0;
                for (uint32_t seed = 0; seed < 8; ++seed) {
                    const Operands o = make(t, n, seed * 977 + static_cast<uint32_t>(blocks));
                    float ref = 0, fast = 0;
                    vecDotScalar(t)(n, &ref, o.weight.data(), o.act.data());
                    vecDot(t)(n, &fast, o.weight.data(), o.act.data());
                    num += (static_cast<double>(fast) - ref) * (static_cast<double>(fast) - ref);
                    den += static_cast<double>(ref) * ref;
                }
                QVERIFY2(num <= 1e-10 * den, qPrintable(label(t, n) + QStringLiteral(": NMSE %1").arg(num / den)));
            }
        }
    }

    // Activation conversion must not depend on the ISA: llama.cpp's rounding of activations is
    // reproduced exactly, and a flipped rounding moves logits far more than float reordering.
    void activationConversionIsBitIdentical()
    {
        for (TensorType t : kWeightTypes) {
            for (int64_t blocks : {1, 3, 33}) {
                const int64_t n = unit(t) * blocks;
                auto a = normal(n, static_cast<uint32_t>(blocks), 2.0f);
                a[0] = 0.5f; // exact ties of x * 127 / amax appear with simple values
                a[1] = -1.5f;
                std::vector<uint8_t> ref(activationRowBytes(t, n)), fast(ref.size());
                quantizeActivationsScalar(t, a.data(), ref.data(), n);
                quantizeActivations(t, a.data(), fast.data(), n);
                QVERIFY2(ref == fast, qPrintable(label(t, n)));
            }
            // All-zero rows give zero scales, not NaN.
            const int64_t n = unit(t);
            std::vector<float> zeros(static_cast<size_t>(n), 0.0f);
            std::vector<uint8_t> act(activationRowBytes(t, n));
            quantizeActivations(t, zeros.data(), act.data(), n);
            std::vector<uint8_t> w(*rowBytes(t, n));
            quantizeRow(t, normal(n, 3).data(), w.data(), n);
            float out = -1;
            vecDot(t)(n, &out, w.data(), act.data());
            QCOMPARE(out, 0.0f);
        }
    }

    // Tiles of a matrix product give each element as the dot product of its row and column,
    // whatever the tile shape (odd row and column counts exercise every edge path).
    void matMulTilesMatchDots()
    {
        for (TensorType t : kWeightTypes) {
            for (int64_t nCols : {1, 2, 3, 4, 5, 8, 9}) {
                const int64_t n = unit(t) * 3;
                const int64_t nRows = 7;
                auto [w, a, ws, as] = makeMatrices(t, n, nRows, nCols, 100, 200);
                const size_t os = static_cast<size_t>(nRows) + 2; // padded output rows
                std::vector<float> fast(os * nCols, -7.0f), ref(os * nCols, -7.0f);
                matMulTile(t)(n, nRows, nCols, w.data(), ws, a.data(), as, fast.data(), os);
                matMulTileScalar(t)(n, nRows, nCols, w.data(), ws, a.data(), as, ref.data(), os);
                double num = 0, den = 0;
                for (int64_t c = 0; c < nCols; ++c) {
                    for (int64_t r = 0; r < nRows; ++r) {
                        float dot = 0;
                        vecDotScalar(t)(n, &dot, w.data() + r * ws, a.data() + c * as);
                        QCOMPARE(ref[c * os + r], dot);
                        const double e = static_cast<double>(fast[c * os + r]) - dot;
                        num += e * e;
                        den += static_cast<double>(dot) * dot;
                    }
                    // The padding between output rows is left alone.
                    QCOMPARE(fast[c * os + nRows], -7.0f);
                    QCOMPARE(fast[c * os + nRows + 1], -7.0f);
                }
                QVERIFY2(num <= 1e-10 * den, qPrintable(label(t, n) + QStringLiteral(" cols=%1: NMSE %2").arg(nCols).arg(num / den)));
            }
        }
    }

    // Prefill panels: packed weight rows times activation rows give each element as the dot
    // product of its row and column, for every format with a panel path, with row counts around
    // the 8-row groups (padding) and column counts around the 4-column register tiles.
    void panelProductsMatchDots()
    {
        if (!engine::cpuFeatures().hasAvx2Fma())
            QSKIP("no AVX2 on this CPU: there is no panel path");
        int covered = 0;
        for (TensorType t : kWeightTypes) {
            const PanelOps* ops = panelOps(t);
            if (!ops)
                continue;
            ++covered;
            for (int64_t nRows : {1, 7, 8, 17}) {
                for (int64_t nCols : {1, 2, 3, 4, 5, 8, 9}) {
                    const int64_t n = t == TensorType::Q4_0 ? 32 * 5 : unit(t) * 2;
                    auto [w, a, ws, as] = makeMatrices(t, n, nRows, nCols, 500, 600);
                    const int64_t sumsStride = activationPanelSumsCount(n);
                    std::vector<float> sums(static_cast<size_t>(sumsStride * nCols));
                    for (int64_t c = 0; c < nCols; ++c)
                        activationPanelSums(t, a.data() + c * as, n, sums.data() + c * sumsStride);
                    std::vector<uint8_t> panel(ops->bytes(n, nRows));
                    ops->pack(n, nRows, w.data(), ws, panel.data());
                    const size_t os = static_cast<size_t>(nRows) + 2;
                    std::vector<float> out(os * nCols, -7.0f);
                    ops->multiply(n, nRows, nCols, panel.data(), a.data(), as, sums.data(), sumsStride, out.data(), os);
                    double num = 0, den = 0;
                    for (int64_t c = 0; c < nCols; ++c) {
                        for (int64_t r = 0; r < nRows; ++r) {
                            float dot = 0;
                            vecDotScalar(t)(n, &dot, w.data() + r * ws, a.data() + c * as);
                            const double e = static_cast<double>(out[c * os + r]) - dot;
                            num += e * e;
                            den += static_cast<double>(dot) * dot;
                        }
                        QCOMPARE(out[c * os + nRows], -7.0f);
                        QCOMPARE(out[c * os + nRows + 1], -7.0f);
                    }
                    QVERIFY2(num <= 1e-10 * den,
                             qPrintable(label(t, n) + QStringLiteral(" rows=%1 cols=%2: NMSE %3").arg(nRows).arg(nCols).arg(num / den)));
                }
            }
        }
        QCOMPARE(covered, 12); // every quantized type has a panel path
    }

    // Weights interleaved 8 rows at a time: the generation tiles and the panels packed from that
    // layout give each element as the dot product of its (original) row and column; a range of
    // rows starting at a group boundary is addressed as in the original layout.
    void interleavedProductsMatchDots()
    {
        if (!engine::cpuFeatures().hasAvx2Fma())
            QSKIP("no AVX2 on this CPU: weights are never interleaved");
        int covered = 0;
        for (TensorType t : kWeightTypes) {
            if (!canInterleave(t))
                continue;
            ++covered;
            QVERIFY(interleavedTile(t) && interleavedPanelOps(t));
            for (int64_t blocks : {1, 5, 24}) {
                for (int64_t nCols : {1, 3, 8, 9}) {
                    const int64_t n = unit(t) * (unit(t) > 32 ? (blocks + 3) / 4 : blocks);
                    const int64_t nRows = 24;
                    auto [w, a, ws, as] = makeMatrices(t, n, nRows, nCols, 700, 800);
                    const size_t ps = interleavedRowBytes(t, n);
                    std::vector<uint8_t> packed(ps * nRows);
                    interleaveRows(t, n, nRows, w.data(), ws, packed.data());
                    // Rows 8..23: the last two groups, from the start of row 8.
                    const int64_t r0 = 8, count = nRows - r0;
                    const size_t os = static_cast<size_t>(count) + 2;
                    std::vector<float> tile(os * nCols, -7.0f), panelOut(os * nCols, -7.0f);
                    interleavedTile(t)(n, count, nCols, packed.data() + r0 * ps, ps, a.data(), as, tile.data(), os);
                    const PanelOps* ops = interleavedPanelOps(t);
                    const int64_t sumsStride = activationPanelSumsCount(n);
                    std::vector<float> sums(static_cast<size_t>(sumsStride * nCols));
                    for (int64_t c = 0; c < nCols; ++c)
                        activationPanelSums(t, a.data() + c * as, n, sums.data() + c * sumsStride);
                    std::vector<uint8_t> panel(ops->bytes(n, count));
                    ops->pack(n, count, packed.data() + r0 * ps, ps, panel.data());
                    ops->multiply(n, count, nCols, panel.data(), a.data(), as, sums.data(), sumsStride, panelOut.data(), os);
                    double num[2] = {}, den = 0;
                    for (int64_t c = 0; c < nCols; ++c) {
                        for (int64_t r = 0; r < count; ++r) {
                            float dot = 0;
                            vecDotScalar(t)(n, &dot, w.data() + (r0 + r) * ws, a.data() + c * as);
                            const double e0 = static_cast<double>(tile[c * os + r]) - dot;
                            const double e1 = static_cast<double>(panelOut[c * os + r]) - dot;
                            num[0] += e0 * e0;
                            num[1] += e1 * e1;
                            den += static_cast<double>(dot) * dot;
                        }
                        QCOMPARE(tile[c * os + count], -7.0f);
                        QCOMPARE(panelOut[c * os + count + 1], -7.0f);
                    }
                    QVERIFY2(num[0] <= 1e-10 * den && num[1] <= 1e-10 * den,
                             qPrintable(label(t, n) + QStringLiteral(" cols=%1: NMSE tile %2 panel %3").arg(nCols).arg(num[0] / den).arg(num[1] / den)));
                }
            }
        }
        QCOMPARE(covered, 5); // Q4_0, Q5_0, Q8_0, Q4_K and Q6_K
    }

    // Generation (one activation row): matMulTile equals vecDot bit for bit, so a decode step
    // gives the same logits whichever path computes a row (block counts below, at and past the
    // 8-block groups of the symmetric formats' column kernel, odd and even).
    void matVecEqualsVecDotExactly()
    {
        for (TensorType t : kWeightTypes) {
            for (int64_t blocks : {1, 3, 7, 8, 9, 16, 17, 28, 33}) {
                const int64_t n = unit(t) * blocks;
                const int64_t nRows = 5;
                std::vector<Operands> rows;
                for (int64_t r = 0; r < nRows; ++r)
                    rows.push_back(make(t, n, static_cast<uint32_t>(300 + r + blocks)));
                const Operands col = make(t, n, static_cast<uint32_t>(400 + blocks));
                const size_t ws = rows[0].weight.size();
                std::vector<uint8_t> w(ws * nRows);
                for (int64_t r = 0; r < nRows; ++r)
                    std::copy(rows[r].weight.begin(), rows[r].weight.end(), w.begin() + r * ws);
                std::vector<float> out(nRows, -7.0f);
                matMulTile(t)(n, nRows, 1, w.data(), ws, col.act.data(), col.act.size(), out.data(), nRows);
                for (int64_t r = 0; r < nRows; ++r) {
                    float dot = 0;
                    vecDot(t)(n, &dot, w.data() + r * ws, col.act.data());
                    QVERIFY2(out[r] == dot, qPrintable(label(t, n) + QStringLiteral(" row %1: %2 != %3").arg(r).arg(out[r]).arg(dot)));
                }
            }
        }
    }

    // Q8_0 activations round half to even with scale 127/amax, as ggml-cpu's AVX2 path does.
    void q8ActivationRounding()
    {
        std::vector<float> x(32, 0.0f);
        x[0] = 127.0f;  // amax: id = 1
        x[1] = 2.5f;    // ties: to even
        x[2] = -3.5f;
        x[3] = 0.5f;
        std::vector<uint8_t> act(activationRowBytes(TensorType::Q8_0, 32));
        quantizeActivations(TensorType::Q8_0, x.data(), act.data(), 32);
        const auto* qs = reinterpret_cast<const int8_t*>(act.data() + 2);
        QCOMPARE(int(qs[0]), 127);
        QCOMPARE(int(qs[1]), 2);
        QCOMPARE(int(qs[2]), -4);
        QCOMPARE(int(qs[3]), 0);
    }
};

QTEST_GUILESS_MAIN(TestKernels)
#include "tst_kernels.moc"
