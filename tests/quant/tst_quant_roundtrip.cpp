// Quantize -> dequantize on random data, per type: the error must stay within 10% of what
// llama.cpp's quantizer achieves on the same kind of data (ReferenceError.h, measured on the
// fixtures), and degenerate rows (zeros, constants, outliers) must come back finite.

#include "quant/Quant.h"
#include "quant/ReferenceError.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <vector>

using namespace engine::quant;

namespace {

const TensorType kTypes[] = {
    TensorType::F16, TensorType::BF16, TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0,
    TensorType::Q5_1, TensorType::Q8_0, TensorType::Q8_1, TensorType::Q2_K, TensorType::Q3_K,
    TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K, TensorType::Q8_K, TensorType::IQ4_NL,
    TensorType::IQ4_XS,
};

QString label(TensorType t)
{
    return QString::fromLatin1(typeName(t).data(), static_cast<int>(typeName(t).size()));
}

// Relative RMSE of a round trip over `rows` rows of n normal(0, sigma) values.
double roundTripError(TensorType t, int64_t n, int rows, uint32_t seed, float sigma)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, sigma);
    std::vector<float> x(static_cast<size_t>(n)), back(static_cast<size_t>(n));
    std::vector<uint8_t> q(*rowBytes(t, n));
    double se = 0, ss = 0;
    for (int r = 0; r < rows; ++r) {
        for (auto& v : x)
            v = dist(rng);
        quantizeRow(t, x.data(), q.data(), n);
        dequantizeRow(t, q.data(), back.data(), n);
        for (int64_t i = 0; i < n; ++i) {
            se += (static_cast<double>(back[i]) - x[i]) * (static_cast<double>(back[i]) - x[i]);
            ss += static_cast<double>(x[i]) * x[i];
        }
    }
    return std::sqrt(se / ss);
}

// The bound for types without a llama.cpp fixture. Q8_1 is Q8_0 with a sum. Q8_K has one scale
// per 256 instead of 32: the largest of 256 normal values is about 1.3 times the largest of 32,
// and the step grows with it, hence 1.4 times Q8_0's figure. IQ4_NL and IQ4_XS (4.5 and 4.25
// bits per weight) are built to beat Q4_0 (4.5) with their non-linear levels.
double bound(TensorType t)
{
    if (auto ref = llamaCppRelativeRmse(t))
        return 1.10 * *ref;
    switch (t) {
    case TensorType::Q8_1: return 1.10 * *llamaCppRelativeRmse(TensorType::Q8_0);
    case TensorType::Q8_K: return 1.40 * *llamaCppRelativeRmse(TensorType::Q8_0);
    case TensorType::IQ4_NL: return *llamaCppRelativeRmse(TensorType::Q4_0);
    case TensorType::IQ4_XS: return *llamaCppRelativeRmse(TensorType::Q4_0);
    default: return 0;
    }
}

} // namespace

class TestQuantRoundTrip : public QObject {
    Q_OBJECT
private slots:
    void errorWithinLlamaCppFigure()
    {
        for (TensorType t : kTypes) {
            const int64_t block = traits(t).blockSize == 1 ? 32 : traits(t).blockSize;
            // Odd row counts and lengths that are odd multiples of the block.
            double worst = 0;
            for (uint32_t seed : {1u, 2u, 3u})
                for (float sigma : {0.05f, 1.0f, 30.0f})
                    worst = std::max(worst, roundTripError(t, block * (seed == 2 ? 3 : 5), seed == 3 ? 7 : 3, seed, sigma));
            qInfo("%-6s worst relative RMSE %.6f, bound %.6f", qPrintable(label(t)), worst, bound(t));
            QVERIFY2(worst <= bound(t), qPrintable(label(t)));
        }
    }

    void degenerateRowsStayFinite()
    {
        for (TensorType t : kTypes) {
            const int64_t n = 512;
            std::vector<std::vector<float>> rows = {
                std::vector<float>(n, 0.0f),
                std::vector<float>(n, 0.25f),
                std::vector<float>(n, -3.0f),
            };
            std::vector<float> outlier(n, 0.001f);
            outlier[17] = 1000.0f;
            rows.push_back(outlier);
            std::vector<float> tiny(n, 1e-20f);
            rows.push_back(tiny);
            for (const auto& x : rows) {
                std::vector<uint8_t> q(*rowBytes(t, n));
                std::vector<float> back(n);
                quantizeRow(t, x.data(), q.data(), n);
                dequantizeRow(t, q.data(), back.data(), n);
                double maxErr = 0, maxAbs = 0;
                for (int64_t i = 0; i < n; ++i) {
                    QVERIFY2(std::isfinite(back[i]), qPrintable(label(t)));
                    maxErr = std::max(maxErr, std::fabs(static_cast<double>(back[i]) - x[i]));
                    maxAbs = std::max(maxAbs, std::fabs(static_cast<double>(x[i])));
                }
                // No element moves by more than the row's largest magnitude.
                QVERIFY2(maxErr <= maxAbs + 1e-30, qPrintable(label(t) + QStringLiteral(" %1 > %2").arg(maxErr).arg(maxAbs)));
                if (maxAbs == 0)
                    QCOMPARE(maxErr, 0.0);
            }
        }
    }

    // An importance row (llama-quantize --imatrix) moves the error away from the channels it
    // marks: the importance-weighted error must drop against the plain search.
    void importanceLowersWeightedError()
    {
        for (TensorType t : {TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q2_K,
                             TensorType::Q3_K, TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K, TensorType::IQ4_NL,
                             TensorType::IQ4_XS}) {
            const int64_t n = 1024;
            std::mt19937 rng(21);
            std::normal_distribution<float> dist(0.0f, 1.0f);
            std::uniform_real_distribution<float> u(0.1f, 1.0f);
            std::vector<float> importance(n);
            for (int64_t i = 0; i < n; ++i)
                importance[i] = (i % 7 == 0) ? 100.0f * u(rng) : u(rng); // a few hot channels
            std::vector<float> x(n), back(n);
            std::vector<uint8_t> q(*rowBytes(t, n));
            double plain = 0, weighted = 0;
            for (int row = 0; row < 16; ++row) {
                for (auto& v : x)
                    v = dist(rng);
                for (int mode = 0; mode < 2; ++mode) {
                    quantizeRow(t, x.data(), q.data(), n, mode ? importance.data() : nullptr);
                    dequantizeRow(t, q.data(), back.data(), n);
                    double e = 0;
                    for (int64_t i = 0; i < n; ++i) {
                        QVERIFY(std::isfinite(back[i]));
                        e += importance[i] * (static_cast<double>(back[i]) - x[i]) * (static_cast<double>(back[i]) - x[i]);
                    }
                    (mode ? weighted : plain) += e;
                }
            }
            qInfo("%-6s importance-weighted error: plain %.4f, with importance %.4f", qPrintable(label(t)), plain, weighted);
            QVERIFY2(weighted < plain, qPrintable(label(t)));
        }
    }

    void quantizationIsDeterministicPerRow()
    {
        // A row quantizes the same alone or inside a longer row (blocks are independent), which
        // is what lets `quantize` and the fixtures work row by row.
        for (TensorType t : kTypes) {
            const int64_t block = traits(t).blockSize == 1 ? 32 : traits(t).blockSize;
            const int64_t n = block * 4;
            std::mt19937 rng(11);
            std::normal_distribution<float> dist(0.0f, 1.0f);
            std::vector<float> x(n);
            for (auto& v : x)
                v = dist(rng);
            std::vector<uint8_t> whole(*rowBytes(t, n)), parts(whole.size());
            quantizeRow(t, x.data(), whole.data(), n);
            const size_t half = *rowBytes(t, n / 2);
            quantizeRow(t, x.data(), parts.data(), n / 2);
            quantizeRow(t, x.data() + n / 2, parts.data() + half, n / 2);
            QVERIFY2(whole == parts, qPrintable(label(t)));
        }
    }
};

QTEST_GUILESS_MAIN(TestQuantRoundTrip)
#include "tst_quant_roundtrip.moc"
