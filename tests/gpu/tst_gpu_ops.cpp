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
        // A matrix in several buffers, as a large one is on lavapipe.
        add(TensorType::Q4_0, 45, 64, 2, 16);
        add(TensorType::Q6_K, 11, 256, 1, 4);
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
        const Buffer yb = outputBuffer(want.size());
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::matVec(b, *matrix, xb, yb, vectors); });
        const double e = nmse(readBack<float>(yb, want.size()), want);
        QVERIFY2(e < 1e-10, qPrintable(QStringLiteral("NMSE %1").arg(e)));
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
        p.freqBase = 1000000.0f; // Qwen2's base: exercises the long-wavelength end
        p.freqScale = 1.0f;
        p.mode = neox ? RopeMode::NeoX : RopeMode::Normal;
        const std::vector<int32_t> pos = {0, 5, 301};
        const std::vector<float> x = randomValues(p.tokens * p.nHeads * p.headDim, 31);
        std::vector<double> want(x.begin(), x.end());
        for (uint32_t t = 0; t < p.tokens; ++t)
            for (uint32_t h = 0; h < p.nHeads; ++h) {
                const size_t base = (size_t(t) * p.nHeads + h) * p.headDim;
                for (uint32_t i = 0; i < p.nRot / 2; ++i) {
                    const size_t i0 = neox ? i : 2 * i;
                    const size_t i1 = neox ? i + p.nRot / 2 : 2 * i + 1;
                    const double theta = pos[t] * double(p.freqScale) * std::pow(double(p.freqBase), -2.0 * i / p.nRot);
                    want[base + i0] = x[base + i0] * std::cos(theta) - x[base + i1] * std::sin(theta);
                    want[base + i1] = x[base + i0] * std::sin(theta) + x[base + i1] * std::cos(theta);
                }
            }
        const Buffer xb = deviceBuffer(x);
        auto pb = Buffer::create(*gputest::g_env->device, pos.size() * 4, MemoryKind::DeviceLocal);
        QVERIFY(pb.ok());
        QVERIFY(gputest::g_env->device->upload(*pb, 0, pos.data(), pos.size() * 4).ok());
        const Buffer yb = outputBuffer(x.size());
        const Buffer& out = inPlace ? xb : yb;
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::rope(b, xb, *pb, out, p); });
        const std::vector<float> got = readBack<float>(out, x.size());
        // Vulkan only bounds sin/cos to 2^-11 absolute, so the tolerance is absolute; a wrong
        // pairing or frequency is off by O(1).
        for (size_t i = 0; i < got.size(); ++i)
            QVERIFY2(std::abs(got[i] - want[i]) < 2e-3, qPrintable(QStringLiteral("element %1: %2 vs %3").arg(i).arg(got[i]).arg(want[i])));
        const double e = nmse(got, want);
        QVERIFY2(e < 1e-7, qPrintable(QStringLiteral("NMSE %1").arg(e)));
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

    void unary_data()
    {
        QTest::addColumn<int>("op");
        QTest::newRow("silu") << int(UnaryOp::Silu);
        QTest::newRow("gelu") << int(UnaryOp::Gelu);
    }

    void unary()
    {
        QFETCH(int, op);
        const uint32_t n = 1001;
        std::vector<float> x = randomValues(n, 41, -8.0f, 8.0f);
        x[0] = -100.0f; // far tails: exp overflow must not turn into NaN
        x[1] = 100.0f;
        std::vector<double> want(n);
        for (uint32_t i = 0; i < n; ++i) {
            const double v = x[i];
            want[i] = op == int(UnaryOp::Silu) ? v / (1.0 + std::exp(-v))
                                               : 0.5 * v * (1.0 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
        }
        const Buffer xb = deviceBuffer(x), yb = outputBuffer(n);
        RUN_BATCH([&](CommandBatch& b) { return engine::gpu::unary(b, UnaryOp(op), xb, yb, n); });
        const std::vector<float> got = readBack<float>(yb, n);
        for (uint32_t i = 0; i < n; ++i)
            QVERIFY2(std::abs(got[i] - want[i]) <= 1e-5 * (1.0 + std::abs(want[i])),
                     qPrintable(QStringLiteral("x=%1: %2 vs %3").arg(x[i]).arg(got[i]).arg(want[i])));
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
