// The CPU backend's building blocks: AVX2 kernels against the scalar reference on random inputs
// (odd sizes and tails included), the ops against double-precision formulas, the thread pool,
// and the matrix product against dequantize-then-dot for several weight types.

#include "cpu/Attention.h"
#include "cpu/MatMul.h"
#include "cpu/Ops.h"
#include "cpu/ThreadPool.h"
#include "quant/Kernels.h"
#include "quant/Quant.h"

#include <QtTest>

#include <limits>

#include <atomic>
#include <cmath>
#include <random>

using namespace engine;

namespace {

std::vector<float> randomVector(std::mt19937& rng, int n, float scale = 1.0f)
{
    std::normal_distribution<float> d(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v)
        x = d(rng);
    return v;
}

double nmse(const std::vector<float>& a, const std::vector<float>& ref)
{
    double err = 0.0, norm = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
        err += (double(a[i]) - ref[i]) * (double(a[i]) - ref[i]);
        norm += double(ref[i]) * ref[i];
    }
    return norm > 0 ? err / norm : err;
}

} // namespace

class TestCpuOps : public QObject {
    Q_OBJECT
private slots:
    void avx2MatchesScalar()
    {
        const cpu::VectorOps* fast = cpu::avx2VectorOps();
        if (!fast)
            QSKIP("this CPU (or INKSTONE_CPU) has no AVX2/FMA/F16C; the scalar path is what runs");
        const cpu::VectorOps& ref = cpu::scalarVectorOps();
        std::mt19937 rng(11);
        for (int n : {1, 7, 8, 15, 16, 17, 63, 64, 65, 127, 128, 129, 1000}) {
            const auto a = randomVector(rng, n), b = randomVector(rng, n);
            std::vector<uint16_t> a16(n), b16(n), r16(n);
            fast->toF16(a.data(), a16.data(), n);
            ref.toF16(a.data(), r16.data(), n);
            QVERIFY2(a16 == r16, qPrintable(QStringLiteral("toF16 differs at n=%1").arg(n)));   // rounding is exact
            ref.toF16(b.data(), b16.data(), n);
            const float d32 = fast->dotF32(a.data(), b.data(), n), r32 = ref.dotF32(a.data(), b.data(), n);
            QVERIFY2(std::fabs(d32 - r32) <= 1e-5f * (1.0f + std::fabs(r32)) * std::sqrt(float(n)), qPrintable(QString::number(n)));
            const float d16 = fast->dotF16(a16.data(), b16.data(), n), r16v = ref.dotF16(a16.data(), b16.data(), n);
            QVERIFY2(std::fabs(d16 - r16v) <= 1e-5f * (1.0f + std::fabs(r16v)) * std::sqrt(float(n)), qPrintable(QString::number(n)));
            std::vector<float> y1 = b, y2 = b, y3 = b, y4 = b;
            fast->axpyF32(0.37f, a.data(), y1.data(), n);
            ref.axpyF32(0.37f, a.data(), y2.data(), n);
            fast->axpyF16(-1.5f, a16.data(), y3.data(), n);
            ref.axpyF16(-1.5f, a16.data(), y4.data(), n);
            QVERIFY(nmse(y1, y2) < 1e-12);
            QVERIFY(nmse(y3, y4) < 1e-12);
            // The softmax maximum: exact, wherever the largest value sits; NaNs ignored.
            std::vector<float> m = a;
            m[size_t(n) / 2] = 50.0f;
            QCOMPARE(fast->maxOf(m.data(), n), 50.0f);
            m[size_t(n) - 1] = 60.0f;
            QCOMPARE(fast->maxOf(m.data(), n), ref.maxOf(m.data(), n));
            m[0] = std::nanf("");
            QCOMPARE(fast->maxOf(m.data(), n), n > 1 ? 60.0f : ref.maxOf(m.data(), n));
        }
    }

    // The attention kernels for an F16 cache: key blocks of four and their tails, value spans of
    // 64 and their tails, strided rows, zero weights skipped.
    void attentionKernelsMatchScalar()
    {
        const cpu::VectorOps* fast = cpu::avx2VectorOps();
        if (!fast)
            QSKIP("this CPU (or INKSTONE_CPU) has no AVX2/FMA/F16C; the scalar path is what runs");
        const cpu::VectorOps& ref = cpu::scalarVectorOps();
        std::mt19937 rng(17);
        for (int n : {4, 8, 60, 64, 72, 128, 200}) {
            for (int count : {1, 3, 4, 5, 33}) {
                const size_t stride = static_cast<size_t>(n) + 24; // rows of a cache with other heads in between
                const auto q = randomVector(rng, n), kv = randomVector(rng, static_cast<int>(stride) * count);
                auto p = randomVector(rng, count);
                p[0] = 0.0f;
                std::vector<uint16_t> q16(n), kv16(kv.size());
                ref.toF16(q.data(), q16.data(), n);
                ref.toF16(kv.data(), kv16.data(), static_cast<int>(kv.size()));
                std::vector<float> s1(count), s2(count), o1(n, 9.0f), o2(n, -9.0f);
                fast->scoresF16(q16.data(), kv16.data(), stride, count, n, s1.data());
                ref.scoresF16(q16.data(), kv16.data(), stride, count, n, s2.data());
                fast->weightedSumF16(p.data(), kv16.data(), stride, count, n, o1.data());
                ref.weightedSumF16(p.data(), kv16.data(), stride, count, n, o2.data());
                QVERIFY2(nmse(s1, s2) < 1e-12, qPrintable(QStringLiteral("scores n=%1 count=%2: %3").arg(n).arg(count).arg(nmse(s1, s2))));
                QVERIFY2(nmse(o1, o2) < 1e-12, qPrintable(QStringLiteral("sum n=%1 count=%2: %3").arg(n).arg(count).arg(nmse(o1, o2))));
                // Several heads over the same values (blocks of 6 heads, 16 and 8 dims, tails).
                for (int heads : {1, 5, 7, 13}) {
                    const auto w = randomVector(rng, heads * count);
                    std::vector<float> h1(size_t(heads) * (n + 3), 5.0f), h2(h1.size(), -5.0f);
                    fast->weightedSumF16Heads(w.data(), size_t(count), heads, kv16.data(), stride, count, n, h1.data(), size_t(n + 3));
                    ref.weightedSumF16Heads(w.data(), size_t(count), heads, kv16.data(), stride, count, n, h2.data(), size_t(n + 3));
                    for (int g = 0; g < heads; ++g)
                        for (int i = n; i < n + 3; ++i)
                            h1[size_t(g) * (n + 3) + i] = h2[size_t(g) * (n + 3) + i] = 0.0f; // the gaps between heads are not written
                    QVERIFY2(nmse(h1, h2) < 1e-12, qPrintable(QStringLiteral("heads=%1 n=%2 count=%3: %4").arg(heads).arg(n).arg(count).arg(nmse(h1, h2))));
                }
            }
        }
    }

    // Attention over an F16 cache against a double-precision reference (queries and weights
    // rounded to F16 as the per-query and tiled paths round them): the tiled prefill path, the
    // split generation path (deep in the cache; it keeps its weights in float, hence the looser
    // bound) and the per-query path, with grouped heads, a sliding window, soft-capping, earlier
    // positions in the cache, head sizes off the 8-lane grid, and the token blocks that long
    // contexts force.
    void attentionMatchesReference_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("pos0");
        QTest::addColumn<int>("nHead");
        QTest::addColumn<int>("nHeadKv");
        QTest::addColumn<int>("headDim");
        QTest::addColumn<int>("window");
        QTest::addColumn<float>("softcap");
        QTest::addColumn<bool>("split");
        QTest::newRow("prefill gqa") << 37 << 0 << 8 << 2 << 64 << 0 << 0.0f << false;
        QTest::newRow("after earlier turns") << 20 << 45 << 6 << 2 << 32 << 0 << 0.0f << false;
        QTest::newRow("window and softcap") << 40 << 10 << 4 << 4 << 40 << 9 << 30.0f << false;
        QTest::newRow("odd head size, mha") << 17 << 3 << 3 << 3 << 20 << 0 << 0.0f << false;
        QTest::newRow("one token, short cache") << 1 << 30 << 8 << 2 << 64 << 0 << 0.0f << false;
        QTest::newRow("long context, small blocks") << 24 << 70000 << 2 << 1 << 16 << 0 << 0.0f << false;
        QTest::newRow("one token, deep cache") << 1 << 600 << 8 << 2 << 64 << 0 << 0.0f << true;
        QTest::newRow("deep, window and softcap") << 1 << 900 << 6 << 2 << 40 << 300 << 30.0f << true;
        QTest::newRow("deep, two tokens, seven heads") << 2 << 400 << 14 << 2 << 20 << 0 << 0.0f << true;
        QTest::newRow("deep, five heads") << 1 << 300 << 10 << 2 << 72 << 0 << 0.0f << true;
    }

    void attentionMatchesReference()
    {
        QFETCH(int, n);
        QFETCH(int, pos0);
        QFETCH(int, nHead);
        QFETCH(int, nHeadKv);
        QFETCH(int, headDim);
        QFETCH(int, window);
        QFETCH(float, softcap);
        QFETCH(bool, split);
        std::mt19937 rng(23);
        const int capacity = pos0 + n;
        const auto q = randomVector(rng, n * nHead * headDim, 1.5f);
        const auto k = randomVector(rng, capacity * nHeadKv * headDim);
        const auto v = randomVector(rng, capacity * nHeadKv * headDim);
        const cpu::VectorOps& ops = cpu::scalarVectorOps();
        std::vector<uint16_t> k16(k.size()), v16(v.size()), q16(q.size());
        ops.toF16(k.data(), k16.data(), int(k.size()));
        ops.toF16(v.data(), v16.data(), int(v.size()));
        ops.toF16(q.data(), q16.data(), int(q.size()));
        auto widen = [](const std::vector<uint16_t>& h) {
            std::vector<float> f(h.size());
            quant::dequantizeRow(quant::TensorType::F16, h.data(), f.data(), int64_t(h.size()));
            return f;
        };
        const auto qr = widen(q16), kr = widen(k16), vr = widen(v16);
        const float scale = 1.0f / std::sqrt(float(headDim));

        std::vector<float> ref(q.size());
        std::vector<double> w(capacity);
        for (int t = 0; t < n; ++t)
            for (int h = 0; h < nHead; ++h) {
                const int kvh = h / (nHead / nHeadKv), pos = pos0 + t;
                const int first = window > 0 ? std::max(0, pos - window + 1) : 0;
                double max = -1e300, sum = 0;
                for (int j = first; j <= pos; ++j) {
                    double dot = 0;
                    for (int i = 0; i < headDim; ++i)
                        dot += double(qr[(t * nHead + h) * headDim + i]) * kr[(j * nHeadKv + kvh) * headDim + i];
                    dot *= scale;
                    if (softcap > 0)
                        dot = softcap * std::tanh(dot / softcap);
                    w[j] = dot;
                    max = std::max(max, dot);
                }
                for (int j = first; j <= pos; ++j)
                    sum += (w[j] = std::exp(w[j] - max));
                for (int i = 0; i < headDim; ++i) {
                    double o = 0;
                    for (int j = first; j <= pos; ++j) {
                        const float p = float(w[j] / sum);
                        uint16_t p16;
                        ops.toF16(&p, &p16, 1);
                        float pr;
                        quant::dequantizeRow(quant::TensorType::F16, &p16, &pr, 1);
                        o += double(pr) * vr[(j * nHeadKv + kvh) * headDim + i];
                    }
                    ref[(t * nHead + h) * headDim + i] = float(o);
                }
            }

        cpu::ThreadPool pool(3);
        for (bool perQuery : {false, true}) {
            cpu::AttentionArgs a;
            a.q = q.data();
            a.kCache = k16.data();
            a.vCache = v16.data();
            a.n = n;
            a.pos0 = pos0;
            a.nHead = nHead;
            a.nHeadKv = nHeadKv;
            a.headDim = headDim;
            a.headDimV = headDim;
            a.scale = scale;
            a.softcap = softcap;
            a.window = window;
            std::vector<float> out(q.size(), std::nanf(""));
            a.out = out.data();
            cpu::AttentionScratch scratch;
            scratch.perQueryOnly = perQuery;
            cpu::attention(pool, a, scratch);
            const double e = nmse(out, ref);
            const double bound = split && !perQuery ? 1e-6 : 1e-9;
            QVERIFY2(e < bound, qPrintable(QStringLiteral("%1: nmse %2").arg(perQuery ? "per query" : split ? "split" : "tiled").arg(e)));
            if (!perQuery)
                qInfo("%s: nmse %.2e", split ? "split" : "default path", e);
        }
    }

    // The vector exponential of softmax and SiLU: within a few float steps of expf over the
    // whole range, exact zeros for masked (−inf) and far-off scores, +inf past the overflow bound.
    void vectorExpMatchesExpf()
    {
        const cpu::VectorOps* fast = cpu::avx2VectorOps();
        if (!fast)
            QSKIP("this CPU (or INKSTONE_CPU) has no AVX2/FMA/F16C; the scalar path is what runs");
        const cpu::VectorOps& ref = cpu::scalarVectorOps();
        std::vector<float> x;
        for (float v = -100.0f; v <= 95.0f; v += 0.0137f)
            x.push_back(v);
        x.push_back(-std::numeric_limits<float>::infinity());
        std::vector<float> a = x, b = x;
        const double sa = fast->expShifted(a.data(), static_cast<int>(a.size()), 3.0f);
        const double sb = ref.expShifted(b.data(), static_cast<int>(b.size()), 3.0f);
        for (size_t i = 0; i < x.size(); ++i) {
            if (std::isinf(b[i]) || b[i] < 1e-37f) {
                QVERIFY2(a[i] == b[i] || std::fabs(a[i] - b[i]) <= std::numeric_limits<float>::min(), qPrintable(QStringLiteral("x=%1: %2 vs %3").arg(x[i]).arg(a[i]).arg(b[i])));
                continue;
            }
            QVERIFY2(std::fabs(a[i] - b[i]) <= 4e-7f * b[i], qPrintable(QStringLiteral("x=%1: %2 vs %3").arg(x[i]).arg(a[i]).arg(b[i])));
        }
        QVERIFY(std::isinf(sa) == std::isinf(sb));
        std::mt19937 rng(5);
        for (int n : {1, 7, 8, 9, 100}) {
            auto g1 = randomVector(rng, n, 6.0f), g2 = g1;
            const auto up = randomVector(rng, n);
            fast->siluMul(g1.data(), up.data(), n);
            ref.siluMul(g2.data(), up.data(), n);
            QVERIFY2(nmse(g1, g2) < 1e-12, qPrintable(QStringLiteral("silu n=%1: %2").arg(n).arg(nmse(g1, g2))));
        }
    }

    void normsMatchFormulas()
    {
        std::mt19937 rng(3);
        for (int n : {5, 64, 257}) {
            const auto x = randomVector(rng, n, 2.0f), w = randomVector(rng, n), b = randomVector(rng, n);
            std::vector<float> y(n), z(n);
            cpu::rmsNorm(x.data(), w.data(), y.data(), n, 1e-5f);
            double ss = 0;
            for (float v : x)
                ss += double(v) * v;
            const double scale = 1.0 / std::sqrt(ss / n + 1e-5);
            std::vector<float> ref(n);
            for (int i = 0; i < n; ++i)
                ref[i] = float(x[i] * scale * w[i]);
            QVERIFY(nmse(y, ref) < 1e-12);
            cpu::layerNorm(x.data(), w.data(), b.data(), z.data(), n, 1e-5f);
            double mean = 0, var = 0;
            for (float v : x)
                mean += v;
            mean /= n;
            for (float v : x)
                var += (v - mean) * (v - mean);
            var /= n;
            for (int i = 0; i < n; ++i)
                ref[i] = float((x[i] - mean) / std::sqrt(var + 1e-5) * w[i] + b[i]);
            QVERIFY(nmse(z, ref) < 1e-12);
        }
    }

    void ropeRotatesPairs()
    {
        // Normal rotates (2i, 2i+1), NeoX (i, i + nRot/2); norms of the pairs are preserved.
        const int headDim = 8, nRot = 8;
        std::vector<float> cs(nRot);
        cpu::ropeAngles(3, nRot, 10000.0f, 1.0f, nullptr, cs.data());
        QVERIFY(std::fabs(cs[0] - std::cos(3.0f)) < 1e-6f && std::fabs(cs[1] - std::sin(3.0f)) < 1e-6f);
        const float theta1 = 3.0f * std::pow(10000.0f, -2.0f / nRot);
        QVERIFY(std::fabs(cs[2] - std::cos(theta1)) < 1e-5f);
        std::vector<float> x = {1, 0, 0, 0, 0, 0, 0, 0};
        std::vector<float> n = x;
        cpu::applyRope(x.data(), 1, headDim, nRot, cs.data(), model::RopeKind::Normal);
        QVERIFY(std::fabs(x[0] - std::cos(3.0f)) < 1e-6f && std::fabs(x[1] - std::sin(3.0f)) < 1e-6f);
        cpu::applyRope(n.data(), 1, headDim, nRot, cs.data(), model::RopeKind::Neox);
        QVERIFY(std::fabs(n[0] - std::cos(3.0f)) < 1e-6f && std::fabs(n[4] - std::sin(3.0f)) < 1e-6f && n[1] == 0.0f);
        // Frequency factors divide the angle (llama3 rope_freqs).
        const float ff[4] = {2.0f, 1.0f, 1.0f, 1.0f};
        cpu::ropeAngles(3, nRot, 10000.0f, 1.0f, ff, cs.data());
        QVERIFY(std::fabs(cs[0] - std::cos(1.5f)) < 1e-6f);
    }

    void softmaxAndActivations()
    {
        std::vector<float> s = {1.0f, 2.0f, -std::numeric_limits<float>::infinity(), 3.0f};
        cpu::softmax(s.data(), 4);
        const double e = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
        QVERIFY(std::fabs(s[3] - std::exp(3.0) / e) < 1e-6 && s[2] == 0.0f);
        std::vector<float> allMasked(3, -std::numeric_limits<float>::infinity());
        cpu::softmax(allMasked.data(), 3);
        QCOMPARE(allMasked[0], 0.0f);
        for (float x : {-12.0f, -3.0f, -0.5f, 0.0f, 0.7f, 2.5f, 11.0f}) {
            const double exact = 0.5 * x * (1.0 + std::tanh(0.7978845608 * (x + 0.044715 * x * x * x)));
            QVERIFY2(std::fabs(cpu::gelu(x) - exact) <= 2e-3 * (1.0 + std::fabs(exact)), qPrintable(QString::number(x)));
            QVERIFY(std::fabs(cpu::silu(x) - x / (1.0 + std::exp(-x))) < 1e-5);
        }
        std::vector<float> capped = {100.0f, -100.0f, 0.5f};
        cpu::softcap(capped.data(), 3, 4.0f);
        QVERIFY(std::fabs(capped[0] - 4.0f) < 1e-5f && std::fabs(capped[1] + 4.0f) < 1e-5f);
        QVERIFY(std::fabs(capped[2] - 4.0f * std::tanh(0.125f)) < 1e-6f);
    }

    void threadPoolRunsEveryTaskOnce()
    {
        cpu::ThreadPool pool(3);
        std::atomic<bool> badThread{false};   // QVERIFY is not for worker threads
        for (int round = 0; round < 200; ++round) {
            const int n = 1 + round % 37;
            std::vector<std::atomic<int>> hits(n);
            pool.parallelFor(n, [&](int task, int thread) {
                if (thread < 0 || thread >= 3)
                    badThread.store(true);
                hits[task].fetch_add(1);
            });
            QVERIFY(!badThread.load());
            for (auto& h : hits)
                QCOMPARE(h.load(), 1);
        }
    }

    void matmulMatchesDequantizedDot_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("tokens");
        for (auto t : {quant::TensorType::F32, quant::TensorType::F16, quant::TensorType::Q8_0, quant::TensorType::Q4_0,
                       quant::TensorType::Q4_K, quant::TensorType::Q6_K})
            for (int tokens : {1, 5, 70})
                QTest::newRow(qPrintable(QStringLiteral("%1 x%2").arg(QString::fromLatin1(quant::typeName(t).data(), int(quant::typeName(t).size()))).arg(tokens)))
                    << int(t) << tokens;
    }

    void matmulMatchesDequantizedDot()
    {
        QFETCH(int, type);
        QFETCH(int, tokens);
        const auto t = static_cast<quant::TensorType>(type);
        const int cols = 512, rows = 37;   // an odd row count: tails of every tile
        std::mt19937 rng(5);
        const auto wf = randomVector(rng, cols * rows, 0.05f);
        const auto x = randomVector(rng, cols * tokens);
        const size_t rb = *quant::rowBytes(t, cols);
        std::vector<uint8_t> wq(rb * rows);
        for (int r = 0; r < rows; ++r)
            quant::quantizeRow(t, wf.data() + r * cols, wq.data() + r * rb, cols);
        model::Tensor w;
        w.type = t;
        w.cols = cols;
        w.rows = rows;
        w.rowBytes = rb;
        w.data = wq.data();
        std::vector<float> bias = randomVector(rng, rows);
        model::Tensor b;
        b.cols = rows;
        b.rowBytes = rows * sizeof(float);
        b.data = reinterpret_cast<const uint8_t*>(bias.data());

        cpu::ThreadPool pool(2);
        cpu::MatMulInput in(x.data(), tokens, cols);
        std::vector<float> y(size_t(tokens) * rows), lo(size_t(tokens) * 20), hi(size_t(tokens) * 17);
        cpu::matmul(pool, w, in, y.data(), 0, -1, 0, &b);
        cpu::MatMulJob jobs[] = {{&w, &in, lo.data(), 0, 20, 20, &b}, {&w, &in, hi.data(), 20, 17, 17, &b}};
        cpu::matmul(pool, jobs);

        // Reference: dequantized weights · exact activations, in double.
        std::vector<float> deq(cols);
        std::vector<float> ref(y.size());
        for (int r = 0; r < rows; ++r) {
            quant::dequantizeRow(t, wq.data() + r * rb, deq.data(), cols);
            for (int k = 0; k < tokens; ++k) {
                double s = bias[r];
                for (int i = 0; i < cols; ++i)
                    s += double(deq[i]) * x[size_t(k) * cols + i];
                ref[size_t(k) * rows + r] = float(s);
            }
        }
        // Activation quantization (Q8) costs ~1e-4 relative; F32/F16 are near exact.
        const double bound = t == quant::TensorType::F32 ? 1e-10 : t == quant::TensorType::F16 ? 1e-6 : 1e-3;
        QVERIFY2(nmse(y, ref) < bound, qPrintable(QString::number(nmse(y, ref))));
        for (int k = 0; k < tokens; ++k) {   // split jobs give the same numbers as one product
            for (int r = 0; r < 20; ++r)
                QCOMPARE(lo[size_t(k) * 20 + r], y[size_t(k) * rows + r]);
            for (int r = 0; r < 17; ++r)
                QCOMPARE(hi[size_t(k) * 17 + r], y[size_t(k) * rows + 20 + r]);
        }
    }
};

QTEST_GUILESS_MAIN(TestCpuOps)
#include "tst_cpu_ops.moc"
