// Every GPU op against a scalar double-precision reference on random data with odd sizes.
// Quantized weights: random rows quantized with quant::quantizeRow; the reference multiplies
// what quant::dequantizeRow makes of the same bytes, so the check isolates the shader.

#include "GpuTestEnv.h"

#include "Buffer.h"
#include "CommandBatch.h"
#include "DeviceMatrix.h"
#include "Ops.h"
#include "quant/Quant.h"

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace engine::gpu;
using engine::quant::TensorType;

namespace {

std::vector<float> randomValues(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(n);
    for (float& x : v)
        x = dist(rng);
    return v;
}

// Normalized mean squared error: sum (got - want)^2 / sum want^2.
double nmse(const std::vector<float>& got, const std::vector<double>& want)
{
    double err = 0, ref = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        err += (got[i] - want[i]) * (got[i] - want[i]);
        ref += want[i] * want[i];
    }
    return ref > 0 ? err / ref : err;
}

Buffer deviceBuffer(const std::vector<float>& data)
{
    Device& device = *gputest::g_env->device;
    auto b = Buffer::create(device, data.size() * sizeof(float), MemoryKind::DeviceLocal);
    if (!b || !device.upload(*b, 0, data.data(), data.size() * sizeof(float)))
        qFatal("cannot make a GPU buffer");
    return std::move(*b);
}

Buffer outputBuffer(size_t floats)
{
    auto b = Buffer::create(*gputest::g_env->device, floats * sizeof(float), MemoryKind::HostVisible);
    if (!b)
        qFatal("cannot make a GPU buffer");
    return std::move(*b);
}

template <typename T>
std::vector<T> readBack(const Buffer& b, size_t count)
{
    std::vector<T> out(count);
    if (!gputest::g_env->device->download(b, 0, out.data(), count * sizeof(T)))
        qFatal("cannot read a GPU buffer");
    return out;
}

// Records with `record`, runs, and fails the test on any error.
#define RUN_BATCH(record)                                                                          \
    do {                                                                                           \
        auto batch = CommandBatch::create(*gputest::g_env->device);                                \
        QVERIFY(batch.ok());                                                                       \
        auto recorded = (record)(**batch);                                                         \
        QVERIFY2(recorded.ok(), recorded.ok() ? "" : recorded.error().message().c_str());          \
        auto ran = (*batch)->submitAndWait();                                                      \
        QVERIFY2(ran.ok(), ran.ok() ? "" : ran.error().message().c_str());                         \
    } while (0)

// Causal grouped-query attention in double precision over what the caches hold (k, v already
// rounded to f16 for an f16 cache), with attention.comp's soft-cap and sliding window.
std::vector<double> attentionReference(const std::vector<float>& q, const std::vector<float>& k, const std::vector<float>& v,
                                       const AttentionParams& p)
{
    const uint32_t kDim = p.nHeadKv * p.headDim, vDim = p.nHeadKv * p.headDimV;
    std::vector<double> want(size_t(p.tokens) * p.nHead * p.headDimV);
    for (uint32_t t = 0; t < p.tokens; ++t)
        for (uint32_t h = 0; h < p.nHead; ++h) {
            const uint32_t kvh = h / (p.nHead / p.nHeadKv);
            const uint32_t nk = p.pos0 + t + 1;
            const uint32_t first = p.window > 0 && nk > p.window ? nk - p.window : 0;
            std::vector<double> s(nk - first);
            double m = -1e300, sum = 0;
            for (uint32_t j = first; j < nk; ++j) {
                double d = 0;
                for (uint32_t e = 0; e < p.headDim; ++e)
                    d += double(q[(size_t(t) * p.nHead + h) * p.headDim + e]) * k[size_t(j) * kDim + kvh * p.headDim + e];
                d *= p.scale;
                if (p.softcap > 0)
                    d = double(p.softcap) * std::tanh(d / double(p.softcap));
                s[j - first] = d;
                m = std::max(m, d);
            }
            for (double& x : s)
                sum += (x = std::exp(x - m));
            for (uint32_t e = 0; e < p.headDimV; ++e) {
                double acc = 0;
                for (uint32_t j = first; j < nk; ++j)
                    acc += s[j - first] * v[size_t(j) * vDim + kvh * p.headDimV + e];
                want[(size_t(t) * p.nHead + h) * p.headDimV + e] = acc / sum;
            }
        }
    return want;
}

// Random q, k, v for `p` (k and v rounded to f16 when the cache holds f16, so the reference sees
// what the shader reads).
struct AttentionData {
    std::vector<float> q, k, v;
};

AttentionData attentionData(const AttentionParams& p, uint32_t seed)
{
    const uint32_t keys = p.pos0 + p.tokens;
    AttentionData d;
    d.q = randomValues(size_t(p.tokens) * p.nHead * p.headDim, seed, -2.0f, 2.0f);
    d.k = randomValues(size_t(keys) * p.nHeadKv * p.headDim, seed + 1, -2.0f, 2.0f);
    d.v = randomValues(size_t(keys) * p.nHeadKv * p.headDimV, seed + 2);
    if (p.kvF16)
        for (std::vector<float>* x : {&d.k, &d.v})
            for (float& f : *x)
                f = engine::quant::f16ToF32(engine::quant::f32ToF16(f));
    return d;
}

// Fills the caches through the copy op (as the backend fills them) and runs `attention` once
// per entry of `paths` (same data, one output each).
engine::Result<std::vector<std::vector<float>>> runAttention(const AttentionData& d, const AttentionParams& base,
                                                             std::initializer_list<AttentionPath> paths)
{
    Device& device = *gputest::g_env->device;
    const uint32_t keys = base.pos0 + base.tokens;
    const uint32_t kDim = base.nHeadKv * base.headDim, vDim = base.nHeadKv * base.headDimV;
    const size_t outFloats = size_t(base.tokens) * base.nHead * base.headDimV;
    const Buffer qb = deviceBuffer(d.q), kf = deviceBuffer(d.k), vf = deviceBuffer(d.v);
    auto kc = Buffer::create(device, size_t(keys) * kDim * (base.kvF16 ? 2 : 4), MemoryKind::DeviceLocal);
    auto vc = Buffer::create(device, size_t(keys) * vDim * (base.kvF16 ? 2 : 4), MemoryKind::DeviceLocal);
    auto scratch = Buffer::create(device, engine::gpu::attentionScratchFloats(base) * 4, MemoryKind::DeviceLocal);
    if (!kc || !vc || !scratch)
        return engine::makeError(engine::ErrorCode::OutOfMemory, "attention test buffers");
    std::vector<Buffer> outs;
    for (size_t i = 0; i < paths.size(); ++i)
        outs.push_back(outputBuffer(outFloats));
    auto batch = CommandBatch::create(device);
    if (!batch)
        return batch.error();
    CommandBatch& b = **batch;
    if (auto r = engine::gpu::copy(b, kf, 0, *kc, 0, keys * kDim, base.kvF16); !r)
        return r.error();
    if (auto r = engine::gpu::copy(b, vf, 0, *vc, 0, keys * vDim, base.kvF16); !r)
        return r.error();
    size_t i = 0;
    for (AttentionPath path : paths) {
        AttentionParams p = base;
        p.path = path;
        if (auto r = engine::gpu::attention(b, qb, *kc, *vc, *scratch, outs[i++], p); !r)
            return r.error();
    }
    if (auto r = b.submitAndWait(); !r)
        return r.error();
    std::vector<std::vector<float>> got;
    for (const Buffer& out : outs)
        got.push_back(readBack<float>(out, outFloats));
    return got;
}

} // namespace

class TestGpuOps : public QObject {
    Q_OBJECT
private slots:
    void cleanup() { gputest::g_env->checkValidation(); }

    void matVec_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("vectors");
        QTest::addColumn<int>("partRows"); // 0: one part
        auto add = [](TensorType t, int rows, int cols, int vectors, int partRows = 0) {
            QTest::addRow("%s %dx%d v%d%s", engine::quant::typeName(t).data(), rows, cols, vectors, partRows ? " split" : "")
                << int(t) << rows << cols << vectors << partRows;
        };
        // Plain types: odd widths exercise the scalar tail.
        for (TensorType t : {TensorType::F32, TensorType::F16, TensorType::BF16}) {
            add(t, 33, 37, 2);
            add(t, 5, 258, 1);
        }
        for (TensorType t : {TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0, TensorType::IQ4_NL})
            add(t, 33, 96, 2);
        for (TensorType t : {TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K})
            add(t, 19, 512, 2);
        // Prefill-sized batches: more vectors than one workgroup takes (8), not a multiple of it.
        add(TensorType::F16, 7, 37, 11);
        add(TensorType::Q4_K, 5, 256, 9);
        // A matrix in several buffers, as a large one is on lavapipe.
        add(TensorType::Q4_0, 45, 64, 2, 16);
        add(TensorType::Q6_K, 11, 256, 1, 4);
        // From kMatMulMinVectors vectors on, the tiled product (64 rows x 32 vectors per
        // workgroup): every type, with rows and vectors that leave partial tiles; a plain row
        // length that is not a multiple of the 32-column step (nor of 4); exact tiles; split parts.
        static_assert(engine::gpu::kMatMulMinVectors == 16);
        for (TensorType t : {TensorType::F32, TensorType::F16, TensorType::BF16})
            add(t, 67, 37, 35);
        for (TensorType t : {TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0, TensorType::IQ4_NL})
            add(t, 67, 96, 33);
        for (TensorType t : {TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K})
            add(t, 70, 512, 17);
        add(TensorType::F32, 64, 64, 16);
        add(TensorType::Q4_K, 150, 256, 33, 64);
    }

    void matVec()
    {
        QFETCH(int, type);
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, vectors);
        QFETCH(int, partRows);
        const auto t = static_cast<TensorType>(type);
        QVERIFY(canMatVec(t));
        const uint64_t rowBytes = *engine::quant::rowBytes(t, cols);

        // Rows with different magnitudes, so per-block scales vary.
        std::vector<float> w = randomValues(size_t(rows) * cols, 1000 + type);
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c)
                w[size_t(r) * cols + c] *= 0.25f + float(r % 5);
        std::vector<uint8_t> q(rows * rowBytes);
        std::vector<float> wRef(size_t(rows) * cols);
        for (int r = 0; r < rows; ++r) {
            engine::quant::quantizeRow(t, w.data() + size_t(r) * cols, q.data() + r * rowBytes, cols);
            engine::quant::dequantizeRow(t, q.data() + r * rowBytes, wRef.data() + size_t(r) * cols, cols);
        }
        const std::vector<float> x = randomValues(size_t(vectors) * cols, 7 + type);
        std::vector<double> want(size_t(vectors) * rows);
        for (int v = 0; v < vectors; ++v)
            for (int r = 0; r < rows; ++r) {
                double s = 0;
                for (int c = 0; c < cols; ++c)
                    s += double(wRef[size_t(r) * cols + c]) * x[size_t(v) * cols + c];
                want[size_t(v) * rows + r] = s;
            }

        Device& device = *gputest::g_env->device;
        auto matrix = DeviceMatrix::upload(device, t, rows, cols, q.data(), partRows ? partRows * rowBytes : 0);
        QVERIFY2(matrix.ok(), matrix.ok() ? "" : matrix.error().message().c_str());
        if (partRows)
            QCOMPARE(matrix->parts().size(), size_t((rows + partRows - 1) / partRows));
        const Buffer xb = deviceBuffer(x);
        // Both reductions: subgroupAdd where the device has it, and the shared-memory tree that
        // devices without it (and INKSTONE_VULKAN_NO_SUBGROUPS=1) take. The reduction does not
        // depend on the type, so the second one runs for a few types only (each variant costs
        // lavapipe a shader compile).
        const bool bothReductions = t == TensorType::F16 || t == TensorType::Q4_0 || t == TensorType::Q6_K;
        for (const char* noSubgroups : {"0", "1"}) {
            if (noSubgroups[0] == '1' && !bothReductions)
                continue;
            qputenv("INKSTONE_VULKAN_NO_SUBGROUPS", noSubgroups);
            const Buffer yb = outputBuffer(want.size());
            RUN_BATCH([&](CommandBatch& b) { return engine::gpu::matVec(b, *matrix, xb, yb, vectors); });
            const double e = nmse(readBack<float>(yb, want.size()), want);
            QVERIFY2(e < 1e-10, qPrintable(QStringLiteral("NMSE %1 (INKSTONE_VULKAN_NO_SUBGROUPS=%2)").arg(e).arg(QLatin1String(noSubgroups))));
        }
        qunsetenv("INKSTONE_VULKAN_NO_SUBGROUPS");
    }

    void matVecRefusesAShortOutput()
    {
        Device& device = *gputest::g_env->device;
        const std::vector<float> w = randomValues(8 * 32, 3);
        auto matrix = DeviceMatrix::upload(device, TensorType::F32, 8, 32, w.data());
        QVERIFY(matrix.ok());
        const Buffer xb = deviceBuffer(randomValues(32, 4));
        const Buffer yb = outputBuffer(7);
        auto batch = CommandBatch::create(device);
        QVERIFY(batch.ok());
        auto r = engine::gpu::matVec(**batch, *matrix, xb, yb);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, engine::ErrorCode::InvalidArgument);
        QCOMPARE((*batch)->dispatchCount(), 0u);
    }

    void rmsNorm()
    {
        const uint32_t n = 1001, rows = 3;
        const float eps = 1e-5f;
        const std::vector<float> x = randomValues(n * rows, 11, -3.0f, 3.0f);
        const std::vector<float> w = randomValues(n, 12, 0.5f, 1.5f);
        std::vector<double> want(n * rows);
        for (uint32_t r = 0; r < rows; ++r) {
            double ss = 0;
            for (uint32_t i = 0; i < n; ++i)
                ss += double(x[r * n + i]) * x[r * n + i];
            const double scale = 1.0 / std::sqrt(ss / n + eps);
            for (uint32_t i = 0; i < n; ++i)
                want[r * n + i] = x[r * n + i] * scale * w[i];
        }
        const Buffer xb = deviceBuffer(x), wb = deviceBuffer(w), yb = outputBuffer(want.size());
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::rmsNorm(b, xb, wb, yb, n, rows, eps); });
        const double e = nmse(readBack<float>(yb, want.size()), want);
        QVERIFY2(e < 1e-12, qPrintable(QStringLiteral("NMSE %1").arg(e)));
    }

    void layerNorm()
    {
        const uint32_t n = 1001, rows = 3;
        const float eps = 1e-5f;
        std::vector<float> x = randomValues(n * rows, 13, -3.0f, 3.0f);
        for (uint32_t i = 0; i < n; ++i)
            x[n + i] += 40.0f; // a row far from zero mean: the variance must not cancel
        const std::vector<float> w = randomValues(n, 14, 0.5f, 1.5f), bias = randomValues(n, 15);
        std::vector<double> want(n * rows);
        for (uint32_t r = 0; r < rows; ++r) {
            double mean = 0, var = 0;
            for (uint32_t i = 0; i < n; ++i)
                mean += x[r * n + i];
            mean /= n;
            for (uint32_t i = 0; i < n; ++i)
                var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
            const double scale = 1.0 / std::sqrt(var / n + eps);
            for (uint32_t i = 0; i < n; ++i)
                want[r * n + i] = (x[r * n + i] - mean) * scale * w[i] + bias[i];
        }
        const Buffer xb = deviceBuffer(x), wb = deviceBuffer(w), bb = deviceBuffer(bias), yb = outputBuffer(want.size());
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::layerNorm(b, xb, wb, bb, yb, n, rows, eps); });
        const double e = nmse(readBack<float>(yb, want.size()), want);
        QVERIFY2(e < 1e-12, qPrintable(QStringLiteral("NMSE %1").arg(e)));
        // In place, as the backend's final norm runs.
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::layerNorm(b, xb, wb, bb, xb, n, rows, eps); });
        const double e2 = nmse(readBack<float>(xb, want.size()), want);
        QVERIFY2(e2 < 1e-12, qPrintable(QStringLiteral("NMSE in place %1").arg(e2)));
    }

    void softmax_data()
    {
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("separate") << false;
        QTest::newRow("in place") << true;
    }

    void softmax()
    {
        QFETCH(bool, inPlace);
        const uint32_t n = 1001, rows = 3;
        const float scale = 0.7f;
        const std::vector<float> x = randomValues(n * rows, 21, -30.0f, 30.0f);
        std::vector<double> want(n * rows);
        for (uint32_t r = 0; r < rows; ++r) {
            double m = -1e300, sum = 0;
            for (uint32_t i = 0; i < n; ++i)
                m = std::max(m, double(scale) * x[r * n + i]);
            for (uint32_t i = 0; i < n; ++i)
                sum += std::exp(double(scale) * x[r * n + i] - m);
            for (uint32_t i = 0; i < n; ++i)
                want[r * n + i] = std::exp(double(scale) * x[r * n + i] - m) / sum;
        }
        const Buffer xb = deviceBuffer(x);
        const Buffer yb = outputBuffer(want.size());
        const Buffer& out = inPlace ? xb : yb;
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::softmax(b, xb, out, n, rows, scale); });
        const std::vector<float> got = readBack<float>(out, want.size());
        const double e = nmse(got, want);
        QVERIFY2(e < 1e-10, qPrintable(QStringLiteral("NMSE %1").arg(e)));
        for (uint32_t r = 0; r < rows; ++r) {
            double sum = 0;
            for (uint32_t i = 0; i < n; ++i)
                sum += got[r * n + i];
            QVERIFY(std::abs(sum - 1.0) < 1e-4);
        }
    }

    void rope_data()
    {
        QTest::addColumn<bool>("neox");
        QTest::addColumn<int>("nRot");
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("normal full") << false << 64 << false;
        QTest::newRow("normal partial in place") << false << 32 << true;
        QTest::newRow("neox full in place") << true << 64 << true;
        QTest::newRow("neox partial") << true << 24 << false;
    }

    void rope()
    {
        QFETCH(bool, neox);
        QFETCH(int, nRot);
        QFETCH(bool, inPlace);
        RopeParams p;
        p.headDim = 64;
        p.nHeads = 3;
        p.nRot = uint32_t(nRot);
        p.tokens = 3;
        p.mode = neox ? RopeMode::NeoX : RopeMode::Normal;
        // The host's table, as the backend makes it: here plain pow() angles for three positions.
        const int pos[] = {0, 5, 301};
        std::vector<float> cs(p.tokens * p.nRot);
        for (uint32_t t = 0; t < p.tokens; ++t)
            for (uint32_t i = 0; i < p.nRot / 2; ++i) {
                const double theta = pos[t] * std::pow(1000000.0, -2.0 * i / p.nRot);
                cs[t * p.nRot + 2 * i] = float(std::cos(theta));
                cs[t * p.nRot + 2 * i + 1] = float(std::sin(theta));
            }
        const std::vector<float> x = randomValues(p.tokens * p.nHeads * p.headDim, 31);
        std::vector<double> want(x.begin(), x.end());
        for (uint32_t t = 0; t < p.tokens; ++t)
            for (uint32_t h = 0; h < p.nHeads; ++h) {
                const size_t base = (size_t(t) * p.nHeads + h) * p.headDim;
                for (uint32_t i = 0; i < p.nRot / 2; ++i) {
                    const size_t i0 = neox ? i : 2 * i;
                    const size_t i1 = neox ? i + p.nRot / 2 : 2 * i + 1;
                    const double c = cs[t * p.nRot + 2 * i], s = cs[t * p.nRot + 2 * i + 1];
                    want[base + i0] = x[base + i0] * c - x[base + i1] * s;
                    want[base + i1] = x[base + i0] * s + x[base + i1] * c;
                }
            }
        const Buffer xb = deviceBuffer(x), csb = deviceBuffer(cs);
        const Buffer yb = outputBuffer(x.size());
        const Buffer& out = inPlace ? xb : yb;
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::rope(b, xb, csb, out, p); });
        const std::vector<float> got = readBack<float>(out, x.size());
        for (size_t i = 0; i < got.size(); ++i)
            QVERIFY2(std::abs(got[i] - want[i]) < 1e-6, qPrintable(QStringLiteral("element %1: %2 vs %3").arg(i).arg(got[i]).arg(want[i])));
    }

    void rejectsBadRopeShapes()
    {
        RopeParams p;
        p.headDim = 64;
        p.nHeads = 1;
        p.tokens = 1;
        p.nRot = 66;
        const Buffer xb = deviceBuffer(randomValues(64, 1));
        auto batch = CommandBatch::create(*gputest::g_env->device);
        QVERIFY(batch.ok());
        QVERIFY(!engine::gpu::rope(**batch, xb, xb, xb, p).ok());
    }

    void getRows_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("partRows");
        for (TensorType t : {TensorType::F32, TensorType::F16, TensorType::BF16})
            QTest::addRow("%s", engine::quant::typeName(t).data()) << int(t) << 37 << 0;
        for (TensorType t : {TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0, TensorType::IQ4_NL})
            QTest::addRow("%s", engine::quant::typeName(t).data()) << int(t) << 64 << 0;
        for (TensorType t : {TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K})
            QTest::addRow("%s", engine::quant::typeName(t).data()) << int(t) << 256 << 0;
        QTest::addRow("q8_0 split") << int(TensorType::Q8_0) << 64 << 3;
    }

    void getRows()
    {
        // The embedding lookup must give exactly what the CPU's dequantizeRow gives.
        QFETCH(int, type);
        QFETCH(int, cols);
        QFETCH(int, partRows);
        const auto t = static_cast<TensorType>(type);
        const uint32_t rows = 11;
        const uint64_t rowBytes = *engine::quant::rowBytes(t, cols);
        const std::vector<float> w = randomValues(size_t(rows) * cols, 60 + type, -2.0f, 2.0f);
        std::vector<uint8_t> q(rows * rowBytes);
        for (uint32_t r = 0; r < rows; ++r)
            engine::quant::quantizeRow(t, w.data() + size_t(r) * cols, q.data() + r * rowBytes, cols);
        const std::vector<int32_t> ids = {3, 0, 10, 3, 7};
        std::vector<float> want(ids.size() * cols);
        for (size_t i = 0; i < ids.size(); ++i)
            engine::quant::dequantizeRow(t, q.data() + ids[i] * rowBytes, want.data() + i * cols, cols);

        Device& device = *gputest::g_env->device;
        auto table = DeviceMatrix::upload(device, t, rows, cols, q.data(), partRows * rowBytes);
        QVERIFY(table.ok());
        auto idb = Buffer::create(device, ids.size() * 4, MemoryKind::DeviceLocal);
        QVERIFY(idb.ok() && device.upload(*idb, 0, ids.data(), ids.size() * 4).ok());
        const Buffer yb = outputBuffer(want.size());
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::getRows(b, *table, *idb, yb, uint32_t(ids.size())); });
        QCOMPARE(readBack<float>(yb, want.size()), want);
    }

    void copyToF16AtAnOffset()
    {
        const std::vector<float> x = randomValues(300, 70, -100.0f, 100.0f);
        Device& device = *gputest::g_env->device;
        auto dst = Buffer::create(device, 1000 * 2, MemoryKind::HostVisible);
        QVERIFY(dst.ok());
        std::memset(dst->mapped(), 0, 2000);
        const Buffer xb = deviceBuffer(x);
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::copy(b, xb, 50, *dst, 600, 250, true); });
        const std::vector<uint16_t> got = readBack<uint16_t>(*dst, 1000);
        for (int i = 0; i < 1000; ++i) {
            const uint16_t want = (i >= 600 && i < 850) ? engine::quant::f32ToF16(x[50 + i - 600]) : 0;
            QVERIFY2(got[i] == want, qPrintable(QStringLiteral("element %1").arg(i)));
        }
    }

    void attention_data()
    {
        QTest::addColumn<bool>("kvF16");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("pos0");
        QTest::addColumn<double>("softcap");
        QTest::addColumn<int>("window");
        QTest::newRow("f32 prefill") << false << 5 << 0 << 0.0 << 0;
        QTest::newRow("f32 decode") << false << 1 << 70 << 0.0 << 0;
        QTest::newRow("f16 chunk after a prefix") << true << 3 << 40 << 0.0 << 0;
        // gemma2: scores soft-capped (a cap low enough to bend most of them), sliding windows
        // shorter than the prefix and shorter than the chunk itself.
        QTest::newRow("f32 soft-cap prefill") << false << 7 << 0 << 1.5 << 0;
        QTest::newRow("f32 window decode") << false << 1 << 70 << 0.0 << 13;
        QTest::newRow("f16 window + soft-cap chunk") << true << 9 << 29 << 2.0 << 5;
        // Long contexts: decoding splits the keys (split-K) and merges the splits.
        QTest::newRow("f32 decode over 3000 keys") << false << 1 << 2999 << 0.0 << 0;
        QTest::newRow("f16 decode over 257 keys (a split of one key)") << true << 1 << 256 << 0.0 << 0;
        QTest::newRow("f32 four tokens over 700 keys") << false << 4 << 696 << 0.0 << 0;
        QTest::newRow("f16 window + soft-cap decode over 1000 keys (empty splits)") << true << 1 << 999 << 2.0 << 300;
    }

    void attention()
    {
        QFETCH(bool, kvF16);
        QFETCH(int, tokens);
        QFETCH(int, pos0);
        QFETCH(double, softcap);
        QFETCH(int, window);
        AttentionParams p;
        p.tokens = uint32_t(tokens);
        p.pos0 = uint32_t(pos0);
        p.nHead = 6;
        p.nHeadKv = 2; // grouped-query: three query heads share a KV head
        p.headDim = 24;
        p.headDimV = 20;
        p.scale = 1.0f / std::sqrt(24.0f);
        p.kvF16 = kvF16;
        p.softcap = float(softcap);
        p.window = uint32_t(window);
        const uint32_t keys = p.pos0 + p.tokens;
        const uint32_t splits = engine::gpu::attentionSplits(p);
        QCOMPARE(splits > 1, keys > engine::gpu::kSplitKeys && p.tokens <= engine::gpu::kSplitMaxTokens);
        const AttentionData data = attentionData(p, 80);
        const std::vector<double> want = attentionReference(data.q, data.k, data.v, p);
        auto outs = runAttention(data, p, {AttentionPath::Auto, AttentionPath::OnePass});
        QVERIFY2(outs.ok(), outs.ok() ? "" : outs.error().message().c_str());
        const std::vector<float>& got = (*outs)[0];
        const std::vector<float>& gotOnePass = (*outs)[1];
        const double e = nmse(got, want);
        QVERIFY2(e < 1e-11, qPrintable(QStringLiteral("NMSE %1 (%2 splits)").arg(e).arg(splits)));
        // Split-K against the one-pass shader: the same values up to summation order (f32 sums of
        // thousands of terms in a different order: ~1e-12).
        const double between = nmse(got, std::vector<double>(gotOnePass.begin(), gotOnePass.end()));
        QVERIFY2(between < 1e-11, qPrintable(QStringLiteral("split-K vs one pass: NMSE %1 (%2 splits)").arg(between).arg(splits)));
    }

    // The tiled prefill shader (attention_tiled.comp) against the double reference and against
    // the one-pass shader: query counts that leave partial 16-row tiles (and a single query),
    // key counts that leave partial key tiles, head sizes 64, 128, 256, an odd 80 (20 vec4s over
    // 8 lanes) and different for keys and values, grouped-query groups of 1, 3, 4 and 8, both
    // cache types, soft-cap and sliding windows shorter than the chunk and than the prefix. Each
    // head size is a pipeline to compile (~0.5 s on lavapipe with a cold cache): few of them.
    void attentionTiled_data()
    {
        QTest::addColumn<bool>("kvF16");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("pos0");
        QTest::addColumn<int>("headDim");
        QTest::addColumn<int>("headDimV");
        QTest::addColumn<int>("nHead");
        QTest::addColumn<int>("nHeadKv");
        QTest::addColumn<double>("scale"); // 0: 1/sqrt(headDim)
        QTest::addColumn<double>("softcap");
        QTest::addColumn<int>("window");
        QTest::newRow("f32 1 query after 40, d64") << false << 1 << 40 << 64 << 64 << 4 << 4 << 0.0 << 0.0 << 0;
        QTest::newRow("f16 17 queries, d64, gqa 4") << true << 17 << 0 << 64 << 64 << 4 << 1 << 0.0 << 0.0 << 0;
        QTest::newRow("f32 64 queries after 30, d128, gqa 4") << false << 64 << 30 << 128 << 128 << 8 << 2 << 0.0 << 0.0 << 0;
        // 16-row tiles that start inside a query's group of 3 heads.
        QTest::newRow("f16 100 queries after 7, d80, gqa 3") << true << 100 << 7 << 80 << 80 << 6 << 2 << 0.0 << 0.0 << 0;
        // Sharp softmax (scale 1 over 64 dimensions: scores of tens) moves the running maximum
        // often and far: the rescale of what earlier key tiles summed must be exact.
        QTest::newRow("f32 64 queries after 50, d64, scale 1") << false << 64 << 50 << 64 << 64 << 2 << 1 << 1.0 << 0.0 << 0;
        QTest::newRow("f16 64 queries after 50, d64, soft-cap + window 20") << true << 64 << 50 << 64 << 64 << 2 << 1 << 0.0 << 2.0 << 20;
        QTest::newRow("f32 17 queries after 200, d128/64, soft-cap 1.5 + window 37, gqa 8")
            << false << 17 << 200 << 128 << 64 << 8 << 1 << 0.0 << 1.5 << 37;
        QTest::newRow("f32 100 queries, d64, window 5") << false << 100 << 0 << 64 << 64 << 2 << 2 << 0.0 << 0.0 << 5;
        // gemma's 256: on a device with 32 KiB of shared memory (lavapipe) the key tile shrinks to 8.
        QTest::newRow("f16 17 queries after 20, d256") << true << 17 << 20 << 256 << 256 << 2 << 1 << 0.0 << 0.0 << 0;
    }

    void attentionTiled()
    {
        QFETCH(bool, kvF16);
        QFETCH(int, tokens);
        QFETCH(int, pos0);
        QFETCH(int, headDim);
        QFETCH(int, headDimV);
        QFETCH(int, nHead);
        QFETCH(int, nHeadKv);
        QFETCH(double, scale);
        QFETCH(double, softcap);
        QFETCH(int, window);
        AttentionParams p;
        p.tokens = uint32_t(tokens);
        p.pos0 = uint32_t(pos0);
        p.nHead = uint32_t(nHead);
        p.nHeadKv = uint32_t(nHeadKv);
        p.headDim = uint32_t(headDim);
        p.headDimV = uint32_t(headDimV);
        p.scale = scale > 0 ? float(scale) : 1.0f / std::sqrt(float(headDim));
        p.kvF16 = kvF16;
        p.softcap = float(softcap);
        p.window = uint32_t(window);
        const Device& device = *gputest::g_env->device;
        if (engine::gpu::attentionTileKeys(device, p) == 0) // below the 26 KiB d256 needs (Vulkan guarantees 16)
            QSKIP(qPrintable(QStringLiteral("%1 bytes of shared memory").arg(device.info().maxComputeSharedMemorySize)));
        // Auto takes the tiled shader for prefill-sized chunks only.
        if (!qEnvironmentVariableIsSet("INKSTONE_VULKAN_NO_TILED_ATTENTION"))
            QCOMPARE(engine::gpu::attentionUsesTiled(device, p), p.tokens >= engine::gpu::kTiledMinTokens);
        AttentionParams tiled = p;
        tiled.path = AttentionPath::Tiled;
        QVERIFY(engine::gpu::attentionUsesTiled(device, tiled));

        const AttentionData data = attentionData(p, 90);
        const std::vector<double> want = attentionReference(data.q, data.k, data.v, p);
        auto outs = runAttention(data, p, {AttentionPath::Tiled, AttentionPath::OnePass});
        QVERIFY2(outs.ok(), outs.ok() ? "" : outs.error().message().c_str());
        const std::vector<float>& got = (*outs)[0];
        const std::vector<float>& gotOnePass = (*outs)[1];
        const double e = nmse(got, want);
        QVERIFY2(e < 1e-11, qPrintable(QStringLiteral("tiled vs double: NMSE %1").arg(e)));
        const double eOnePass = nmse(gotOnePass, want);
        QVERIFY2(eOnePass < 1e-11, qPrintable(QStringLiteral("one pass vs double: NMSE %1").arg(eOnePass)));
        const double between = nmse(got, std::vector<double>(gotOnePass.begin(), gotOnePass.end()));
        QVERIFY2(between < 1e-11, qPrintable(QStringLiteral("tiled vs one pass: NMSE %1").arg(between)));
        qDebug("NMSE tiled %.2e, one pass %.2e, between %.2e", e, eOnePass, between);
    }

    // Head sizes above kTiledMaxHeadDim: Auto stays on the one-pass shader (and is right), an
    // explicit Tiled is refused rather than recorded.
    void attentionTiledRefusesLargeHeads()
    {
        AttentionParams p;
        p.tokens = 16;
        p.nHead = p.nHeadKv = 1;
        p.headDim = p.headDimV = engine::gpu::kTiledMaxHeadDim + 4;
        p.scale = 0.05f;
        const Device& device = *gputest::g_env->device;
        QCOMPARE(engine::gpu::attentionTileKeys(device, p), 0u);
        QVERIFY(!engine::gpu::attentionUsesTiled(device, p));
        const AttentionData data = attentionData(p, 95);
        auto outs = runAttention(data, p, {AttentionPath::Auto});
        QVERIFY2(outs.ok(), outs.ok() ? "" : outs.error().message().c_str());
        const double e = nmse((*outs)[0], attentionReference(data.q, data.k, data.v, p));
        QVERIFY2(e < 1e-11, qPrintable(QStringLiteral("NMSE %1").arg(e)));
        auto tiled = runAttention(data, p, {AttentionPath::Tiled});
        QVERIFY(!tiled.ok());
        QCOMPARE(tiled.error().code, engine::ErrorCode::Unsupported);
    }

    void unary_data()
    {
        QTest::addColumn<int>("op");
        QTest::addColumn<double>("param");
        QTest::newRow("silu") << int(UnaryOp::Silu) << 0.0;
        QTest::newRow("scale") << int(UnaryOp::Scale) << 5.656854249;
        QTest::newRow("softcap") << int(UnaryOp::Softcap) << 3.0;
    }

    void unary()
    {
        QFETCH(int, op);
        QFETCH(double, param);
        const uint32_t n = 1001;
        std::vector<float> x = randomValues(n, 41, -8.0f, 8.0f);
        x[0] = -100.0f; // far tails: exp overflow must not turn into NaN
        x[1] = 100.0f;
        std::vector<double> want(n);
        for (uint32_t i = 0; i < n; ++i) {
            const double v = x[i];
            switch (UnaryOp(op)) {
            case UnaryOp::Silu: want[i] = v / (1.0 + std::exp(-v)); break;
            case UnaryOp::Scale: want[i] = v * float(param); break;
            case UnaryOp::Softcap: want[i] = param * std::tanh(v / param); break;
            case UnaryOp::Gelu: break;
            }
        }
        const Buffer xb = deviceBuffer(x), yb = outputBuffer(n);
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::unary(b, UnaryOp(op), xb, yb, n, float(param)); });
        const std::vector<float> got = readBack<float>(yb, n);
        for (uint32_t i = 0; i < n; ++i)
            QVERIFY2(std::abs(got[i] - want[i]) <= 1e-5 * (1.0 + std::abs(want[i])),
                     qPrintable(QStringLiteral("x=%1: %2 vs %3").arg(x[i]).arg(got[i]).arg(want[i])));
    }

    // GELU as ggml's CPU computes it (and the CPU backend copies): the input rounded to f16, the
    // tanh approximation of that, the result rounded to f16; 0 at or below -10, x at or above 10.
    // The reference does the same in double, so the shader may differ only where its f32 tanh
    // lands on the other side of an f16 rounding boundary: by one f16 step at most, rarely.
    void gelu()
    {
        const uint32_t n = 4099;
        std::vector<float> x = randomValues(n, 42, -12.0f, 12.0f);
        const float edges[] = {-100.0f, 100.0f, -10.0f, 10.0f, -9.999f, 9.999f, 0.0f, -0.0f, 1e-6f, -3e-7f, 6e-5f, 2.0009766f, -2.8644f};
        std::copy(std::begin(edges), std::end(edges), x.begin());
        auto toF16 = [](double v) { return double(engine::quant::f16ToF32(engine::quant::f32ToF16(float(v)))); };
        std::vector<double> want(n);
        for (uint32_t i = 0; i < n; ++i) {
            const double v = x[i];
            if (v <= -10.0) {
                want[i] = 0.0;
            } else if (v >= 10.0) {
                want[i] = v;
            } else {
                const double h = toF16(v);
                want[i] = toF16(0.5 * h * (1.0 + std::tanh(0.7978845608028654 * (h + 0.044715 * h * h * h))));
            }
        }
        const Buffer xb = deviceBuffer(x), yb = outputBuffer(n);
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::unary(b, UnaryOp::Gelu, xb, yb, n); });
        const std::vector<float> got = readBack<float>(yb, n);
        uint32_t exact = 0;
        for (uint32_t i = 0; i < n; ++i) {
            const double w = want[i];
            // One f16 step at w's magnitude (subnormal steps are 2^-24).
            const double step = std::ldexp(1.0, std::max(std::ilogb(std::max(std::abs(w), 6.2e-5)), -14) - 10);
            QVERIFY2(std::abs(got[i] - w) <= step, qPrintable(QStringLiteral("x=%1: %2 vs %3").arg(x[i]).arg(got[i]).arg(w)));
            if (std::abs(x[i]) < 10.0f) // an f16 value, as the table holds
                QCOMPARE(double(engine::quant::f16ToF32(engine::quant::f32ToF16(got[i]))), double(got[i]));
            exact += got[i] == w;
        }
        QVERIFY2(exact >= n - n / 100, qPrintable(QStringLiteral("%1 of %2 exact").arg(exact).arg(n)));
    }

    void binary_data()
    {
        QTest::addColumn<int>("op");
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("add") << int(BinaryOp::Add) << false;
        QTest::newRow("mul in place") << int(BinaryOp::Mul) << true;
    }

    void binary()
    {
        QFETCH(int, op);
        QFETCH(bool, inPlace);
        const uint32_t nb = 37, n = 3 * nb; // b broadcast over three rows
        const std::vector<float> a = randomValues(n, 51), b = randomValues(nb, 52);
        const Buffer ab = deviceBuffer(a), bb = deviceBuffer(b), yb = outputBuffer(n);
        const Buffer& out = inPlace ? ab : yb;
        RUN_BATCH([&](CommandBatch& cb) { return engine::gpu::binary(cb, BinaryOp(op), ab, bb, out, n, nb); });
        const std::vector<float> got = readBack<float>(out, n);
        for (uint32_t i = 0; i < n; ++i) {
            const float want = op == int(BinaryOp::Add) ? a[i] + b[i % nb] : a[i] * b[i % nb];
            QCOMPARE(got[i], want);
        }
        auto batch = CommandBatch::create(*gputest::g_env->device);
        QVERIFY(batch.ok());
        QVERIFY(!engine::gpu::binary(**batch, BinaryOp(op), ab, bb, out, n, 36).ok()); // 36 does not divide 111
    }
};

INKSTONE_GPU_TEST_MAIN(TestGpuOps)
#include "tst_gpu_ops.moc"
