// The device layer on a real Vulkan device (lavapipe in CI): memory, staging, splitting large
// tensors, fault injection, the pipeline cache on disk, and the validation layer itself.

#include "GpuTestEnv.h"

#include "Buffer.h"
#include "CommandBatch.h"
#include "DeviceMatrix.h"
#include "Ops.h"
#include "Pipelines.h"

#include <QFileInfo>

#include <cstring>
#include <numeric>
#include <random>
#include <vector>

using namespace engine::gpu;
using engine::ErrorCode;

class TestGpuDevice : public QObject {
    Q_OBJECT
private slots:
    void cleanup() { gputest::g_env->checkValidation(); }

    void validationLayerReportsMisuse()
    {
        auto& env = *gputest::g_env;
        if (!env.instance->validationEnabled())
            QSKIP("validation layer not enabled (INKSTONE_VULKAN_VALIDATION=0)");
        // A zero-sized buffer is invalid usage (VUID-VkBufferCreateInfo-size-00912): proves the
        // layer is active, so a clean run means something.
        VkBufferCreateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
        info.size = 0;
        info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
        VkBuffer buffer = VK_NULL_HANDLE;
        const VkResult r = vkCreateBuffer(env.device->handle(), &info, nullptr, &buffer);
        if (r == VK_SUCCESS && buffer != VK_NULL_HANDLE)
            vkDestroyBuffer(env.device->handle(), buffer, nullptr);
        QVERIFY(env.instance->validationErrors() >= 1);
        QVERIFY(env.instance->firstValidationMessage().find("00912") != std::string::npos);
        env.instance->resetValidationCounts();
    }

    void deviceReportsWhatItIs()
    {
        const DeviceInfo& info = gputest::g_env->device->info();
        QVERIFY(!info.name.empty());
        QVERIFY(info.unsupportedReason().empty());
        QVERIFY(info.subgroupSize > 0);
        QVERIFY(gputest::g_env->device->maxBufferBytes() <= info.maxStorageBufferRange);
    }

    void uploadAndDownloadThroughStagingKeepEveryByte()
    {
        Device& device = *gputest::g_env->device;
        // Larger than one 16 MiB staging chunk and not a multiple of anything, at an odd offset.
        const uint64_t bytes = (17u << 20) + 13;
        std::vector<uint8_t> data(bytes);
        std::mt19937 rng(1);
        for (auto& b : data)
            b = static_cast<uint8_t>(rng());
        auto buffer = Buffer::create(device, bytes + 100, MemoryKind::DeviceLocal);
        QVERIFY2(buffer.ok(), buffer.ok() ? "" : buffer.error().message().c_str());
        QVERIFY(buffer->mapped() == nullptr); // device-local: the staging path is the one tested
        QVERIFY(device.upload(*buffer, 7, data.data(), bytes).ok());
        std::vector<uint8_t> back(bytes);
        QVERIFY(device.download(*buffer, 7, back.data(), bytes).ok());
        QVERIFY(back == data);
        QVERIFY(!device.upload(*buffer, 200, data.data(), bytes).ok()); // past the end: refused
    }

    void oversizedBufferIsAnErrorNotACrash()
    {
        Device& device = *gputest::g_env->device;
        auto buffer = Buffer::create(device, device.maxBufferBytes() + 1, MemoryKind::DeviceLocal);
        QVERIFY(!buffer.ok());
        QCOMPARE(buffer.error().code, ErrorCode::OutOfMemory);
        QVERIFY(!Buffer::create(device, 0, MemoryKind::DeviceLocal).ok());
    }

    void largeMatrixIsSplitByWholeRows()
    {
        Device& device = *gputest::g_env->device;
        const uint32_t rows = 37, cols = 64; // Q8_0: 2 blocks = 68 bytes a row
        const uint64_t rowBytes = *engine::quant::rowBytes(engine::quant::TensorType::Q8_0, cols);
        std::vector<uint8_t> data(rows * rowBytes);
        std::iota(data.begin(), data.end(), uint8_t(0));
        // At most 10 rows a part: 4 parts of 10, 10, 10, 7.
        auto matrix = DeviceMatrix::upload(device, engine::quant::TensorType::Q8_0, rows, cols, data.data(), 10 * rowBytes + 5);
        QVERIFY2(matrix.ok(), matrix.ok() ? "" : matrix.error().message().c_str());
        QCOMPARE(matrix->parts().size(), size_t(4));
        uint32_t next = 0;
        for (const auto& part : matrix->parts()) {
            QCOMPARE(part.firstRow, next);
            QVERIFY(part.rows <= 10);
            std::vector<uint8_t> back(part.rows * rowBytes);
            QVERIFY(device.download(part.buffer, 0, back.data(), back.size()).ok());
            QVERIFY(std::memcmp(back.data(), data.data() + part.firstRow * rowBytes, back.size()) == 0);
            next += part.rows;
        }
        QCOMPARE(next, rows);
        // A block type needs whole blocks per row.
        QVERIFY(!DeviceMatrix::upload(device, engine::quant::TensorType::Q8_0, rows, 33, data.data()).ok());
    }

    void allocationFailureIsReportedAsOutOfMemory()
    {
        Device& device = *gputest::g_env->device;
        const uint64_t before = device.allocatedBytes();
        device.setAllocationLimitForTesting(before + (1u << 20));
        auto small = Buffer::create(device, 4096, MemoryKind::DeviceLocal);
        QVERIFY(small.ok());
        auto big = Buffer::create(device, 2u << 20, MemoryKind::DeviceLocal);
        QVERIFY(!big.ok());
        QCOMPARE(big.error().code, ErrorCode::OutOfMemory);
        device.setAllocationLimitForTesting(UINT64_MAX);
        QVERIFY(Buffer::create(device, 2u << 20, MemoryKind::DeviceLocal).ok());
        small = Buffer();
        QCOMPARE(device.allocatedBytes(), before); // every buffer gave its memory back
    }

    void lostDeviceFailsTheBatchAndStaysLost()
    {
        auto& env = *gputest::g_env;
        auto opened = Device::create(*env.instance, env.deviceOptions());
        QVERIFY(opened.ok());
        Device& device = **opened;
        auto x = Buffer::create(device, 64 * 4, MemoryKind::HostVisible);
        auto y = Buffer::create(device, 64 * 4, MemoryKind::HostVisible);
        QVERIFY(x.ok() && y.ok());
        auto batch = CommandBatch::create(device);
        QVERIFY(batch.ok());
        QVERIFY(unary(**batch, UnaryOp::Silu, *x, *y, 64).ok());
        device.simulateDeviceLostForTesting();
        auto ran = (*batch)->submitAndWait();
        QVERIFY(!ran.ok());
        QCOMPARE(ran.error().code, ErrorCode::Device);
        QVERIFY(device.lost());
        QVERIFY(unary(**batch, UnaryOp::Silu, *x, *y, 64).ok()); // recording still works...
        QVERIFY(!(*batch)->submitAndWait().ok());                 // ...but nothing runs again
    }

    void pipelineCacheIsSavedAndReloaded()
    {
        auto& env = *gputest::g_env;
        QTemporaryDir dir;
        DeviceOptions options = env.deviceOptions();
        options.pipelineCacheDir = dir.path().toStdString() + "/nested/inkstone";
        std::string file;
        {
            auto first = Device::create(*env.instance, options);
            QVERIFY(first.ok());
            QVERIFY(!(*first)->pipelines().cacheLoadedFromDisk());
            auto pipeline = (*first)->pipelines().get("silu", 2, 16, {256});
            QVERIFY2(pipeline.ok(), pipeline.ok() ? "" : pipeline.error().message().c_str());
            // Asked again: the same object, not a second pipeline.
            QCOMPARE(*(*first)->pipelines().get("silu", 2, 16, {256}), *pipeline);
            QCOMPARE((*first)->pipelines().count(), size_t(1));
            file = (*first)->pipelines().cacheFile();
        }
        QVERIFY(QFileInfo(QString::fromStdString(file)).size() > 0);
        auto second = Device::create(*env.instance, options);
        QVERIFY(second.ok());
        QVERIFY((*second)->pipelines().cacheLoadedFromDisk());
        QVERIFY(!(*second)->pipelines().get("no_such_shader", 1, 0).ok());
    }

    void minimalBarriersBetweenIndependentWork()
    {
        Device& device = *gputest::g_env->device;
        const uint32_t n = 300;
        std::vector<Buffer> bufs;
        for (int i = 0; i < 5; ++i) {
            auto b = Buffer::create(device, n * 4, MemoryKind::HostVisible);
            QVERIFY(b.ok());
            bufs.push_back(std::move(*b));
        }
        std::vector<float> a(n), b(n);
        for (uint32_t i = 0; i < n; ++i) {
            a[i] = float(i) * 0.01f - 1.0f;
            b[i] = 0.5f - float(i % 7);
        }
        QVERIFY(device.upload(bufs[0], 0, a.data(), n * 4).ok());
        QVERIFY(device.upload(bufs[1], 0, b.data(), n * 4).ok());
        auto batch = CommandBatch::create(device);
        QVERIFY(batch.ok());
        // Two independent ops, then one reading both results: one barrier, before the third.
        QVERIFY(unary(**batch, UnaryOp::Silu, bufs[0], bufs[2], n).ok());
        QVERIFY(unary(**batch, UnaryOp::Softcap, bufs[1], bufs[3], n, 2.5f).ok());
        QVERIFY(binary(**batch, BinaryOp::Mul, bufs[2], bufs[3], bufs[4], n, n).ok());
        QCOMPARE((*batch)->dispatchCount(), 3u);
        QCOMPARE((*batch)->barrierCount(), 1u);
        QVERIFY((*batch)->submitAndWait().ok());
        std::vector<float> y(n);
        QVERIFY(device.download(bufs[4], 0, y.data(), n * 4).ok());
        for (uint32_t i = 0; i < n; ++i) {
            const double s = a[i] / (1.0 + std::exp(-double(a[i])));
            const double g = 2.5 * std::tanh(b[i] / 2.5);
            QVERIFY2(std::abs(y[i] - s * g) <= 1e-5 * (1.0 + std::abs(s * g)), qPrintable(QString::number(i)));
        }
    }
};

INKSTONE_GPU_TEST_MAIN(TestGpuDevice)
#include "tst_gpu_device.moc"
