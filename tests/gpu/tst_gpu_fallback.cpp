// The runtime (Model, Session) over a Vulkan backend that fails: no device memory for the weights
// at load, none for a session's KV cache, a device lost or out of memory in the middle of a
// generation. Each time
// the work must finish on the CPU with the tokens a CPU-only run gives (greedy), and the reason
// must be available to the caller.

#include "GpuTestEnv.h"

#include "TinyModel.h"
#include "VulkanBackend.h"
#include "model/Backend.h"
#include "runtime/Model.h"
#include "runtime/Session.h"

#include <QTemporaryDir>

#include <cstdlib>
#include <vector>

using namespace engine;

namespace {

// A GPU backend that loses its device just before forward pass number lossAt (counted over all
// its contexts), as a crashed driver or an unplugged eGPU would; with lossAt < 0, forward pass
// number -lossAt runs out of device memory instead (and the device stays usable).
class LosingContext final : public model::BackendContext {
public:
    LosingContext(std::unique_ptr<model::BackendContext> inner, gpu::Device& device, int lossAt, int& calls)
        : m_inner(std::move(inner)), m_device(device), m_lossAt(lossAt), m_calls(calls) {}
    int capacity() const override { return m_inner->capacity(); }
    Result<void> forward(std::span<const int32_t> tokens, int startPos, std::span<const int32_t> logitRows, float* logits,
                         const std::atomic<bool>* cancel) override
    {
        ++m_calls;
        if (m_calls == -m_lossAt)
            return makeError(ErrorCode::OutOfMemory, "vkAllocateMemory: VK_ERROR_OUT_OF_DEVICE_MEMORY (injected)");
        if (m_calls == m_lossAt)
            m_device.simulateDeviceLostForTesting();
        return m_inner->forward(tokens, startPos, logitRows, logits, cancel);
    }

private:
    std::unique_ptr<model::BackendContext> m_inner;
    gpu::Device& m_device;
    int m_lossAt;
    int& m_calls;
};

class LosingBackend final : public model::Backend {
public:
    LosingBackend(std::unique_ptr<model::Backend> inner, gpu::Device& device, int lossAt, int& calls)
        : m_inner(std::move(inner)), m_device(device), m_lossAt(lossAt), m_calls(calls) {}
    std::string description() const override { return m_inner->description(); }
    Result<std::unique_ptr<model::BackendContext>> createContext(int nCtx, KvCacheType kvType) override
    {
        auto inner = m_inner->createContext(nCtx, kvType);
        if (!inner)
            return inner.error();
        return std::unique_ptr<model::BackendContext>(std::make_unique<LosingContext>(std::move(*inner), m_device, m_lossAt, m_calls));
    }

private:
    std::unique_ptr<model::Backend> m_inner;
    gpu::Device& m_device;
    int m_lossAt;
    int& m_calls;
};

LoadOptions options(BackendChoice backend)
{
    LoadOptions o;
    o.backend = backend;
    o.threads = 1;
    o.contextLength = 64;
    o.kvCacheType = KvCacheType::F32; // GPU and CPU logits then agree to ~1e-9 (NMSE): same argmax
    return o;
}

std::vector<int32_t> greedy(Session& session, const std::vector<int32_t>& prompt, int n, QString* error)
{
    SamplingParams p;
    p.temperature = 0.0f;
    p.maxTokens = n;
    p.ignoreEos = true;
    std::vector<int32_t> ids;
    std::atomic<bool> never{false};
    auto r = session.generate(prompt, p, [&](const TokenEvent& e) {
        if (e.token >= 0)
            ids.push_back(e.token);
        return true;
    }, never);
    if (!r)
        *error = QString::fromStdString(r.error().message());
    return ids;
}

const std::vector<int32_t> kPrompt = {testing::kTinyBos, 72, 101, 108, 108, 111, 44, 32};
constexpr int kTokens = 12;

} // namespace

class TestGpuFallback : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("tiny.gguf")).toStdString();
        QVERIFY(testing::writeTinyModel(m_path));
        auto cpu = Model::load(m_path, options(BackendChoice::Cpu));
        QVERIFY(cpu.ok());
        auto session = Session::create(*cpu);
        QVERIFY(session.ok());
        QString error;
        m_reference = greedy(**session, kPrompt, kTokens, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(int(m_reference.size()), kTokens);
        QCOMPARE((*session)->backendNote(), std::string());
    }

    void cleanup()
    {
        model::setGpuBackendFactory({});
        gputest::g_env->device->setAllocationLimitForTesting(UINT64_MAX);
        gputest::g_env->checkValidation();
    }

    void noDeviceMemoryForTheWeights()
    {
        gpu::Device& device = *gputest::g_env->device;
        useSuiteDevice();
        device.setAllocationLimitForTesting(device.allocatedBytes()); // not one more byte
        auto m = Model::load(m_path, options(BackendChoice::Auto));
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        const Model& model = **m;
        QVERIFY(!model.usesGpu());
        QVERIFY(model.info().backendDescription.rfind("CPU", 0) == 0);
        QVERIFY2(model.info().backendFallbackReason.find("memory") != std::string::npos, model.info().backendFallbackReason.c_str());
        QVERIFY2(model.backendNote().find("memory") != std::string::npos, model.backendNote().c_str());
        auto session = Session::create(*m);
        QVERIFY(session.ok());
        QString error;
        QCOMPARE(greedy(**session, kPrompt, kTokens, &error), m_reference);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE((*session)->backendNote(), model.backendNote());

        // Asked for explicitly, Vulkan that cannot load is an error the caller sees.
        auto strict = Model::load(m_path, options(BackendChoice::Vulkan));
        QVERIFY(!strict.ok());
        QCOMPARE(strict.error().code, ErrorCode::OutOfMemory);
    }

    void noDeviceMemoryForTheKvCache()
    {
        gpu::Device& device = *gputest::g_env->device;
        useSuiteDevice();
        auto m = Model::load(m_path, options(BackendChoice::Auto));
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QVERIFY((*m)->usesGpu());
        QCOMPARE((*m)->backendNote(), std::string());
        device.setAllocationLimitForTesting(device.allocatedBytes());
        auto session = Session::create(*m);
        QVERIFY2(session.ok(), session.ok() ? "" : session.error().message().c_str());
        const std::string note = (*session)->backendNote();
        QVERIFY2(note.find("out of memory") != std::string::npos && note.find("CPU") != std::string::npos, note.c_str());
        QString error;
        QCOMPARE(greedy(**session, kPrompt, kTokens, &error), m_reference);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void gpuFailsInTheMiddleOfAGeneration_data()
    {
        QTest::addColumn<int>("lossAt");
        QTest::addColumn<int>("gpuLayers"); // LoadOptions::gpuLayers: 1 splits the model with the CPU
        QTest::newRow("during the prefill") << 1 << -1;
        QTest::newRow("after three decode steps") << 5 << -1;
        QTest::newRow("after three decode steps, one layer on the GPU") << 5 << 1;
        QTest::newRow("out of device memory after three decode steps") << -5 << -1;
    }

    void gpuFailsInTheMiddleOfAGeneration()
    {
        QFETCH(int, lossAt);
        QFETCH(int, gpuLayers);
        // A device of its own: a lost device stays lost.
        auto device = gpu::Device::create(*gputest::g_env->instance, gputest::g_env->deviceOptions());
        QVERIFY(device.ok());
        int calls = 0;
        gpu::Device& d = **device;
        model::setGpuBackendFactory([&](std::shared_ptr<const model::LoadedModel> model, const LoadOptions& o) -> Result<std::unique_ptr<model::Backend>> {
            auto vk = gpu::createVulkanBackendOn(std::move(model), d, gpu::vulkanOptionsFor(o));
            if (!vk)
                return vk.error();
            return std::unique_ptr<model::Backend>(std::make_unique<LosingBackend>(std::move(*vk), d, lossAt, calls));
        });
        {
            LoadOptions o = options(BackendChoice::Auto);
            o.gpuLayers = gpuLayers;
            auto m = Model::load(m_path, o);
            QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
            QVERIFY((*m)->usesGpu());
            const std::string description = (*m)->info().backendDescription;
            QVERIFY2((description.find("1/2 layers") != std::string::npos) == (gpuLayers == 1), description.c_str());
            auto session = Session::create(*m);
            QVERIFY(session.ok());
            QCOMPARE((*session)->backendNote(), std::string());
            QString error;
            const std::vector<int32_t> got = greedy(**session, kPrompt, kTokens, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(got, m_reference);
            QCOMPARE(calls, std::abs(lossAt)); // the GPU ran until the failure and never after it
            QCOMPARE(d.lost(), lossAt > 0);
            const std::string note = (*session)->backendNote();
            QVERIFY2(note.find(lossAt > 0 ? "DEVICE_LOST" : "OUT_OF_DEVICE_MEMORY") != std::string::npos && note.find("CPU") != std::string::npos,
                     note.c_str());

            // The conversation goes on on the CPU, reusing the cache it rebuilt there.
            std::vector<int32_t> more = kPrompt;
            more.insert(more.end(), got.begin(), got.end());
            more.push_back(32);
            SamplingParams p;
            p.temperature = 0.0f;
            p.maxTokens = 2;
            std::atomic<bool> never{false};
            auto stats = (*session)->generate(more, p, [](const TokenEvent&) { return true; }, never);
            QVERIFY(stats.ok());
            QVERIFY(stats->reusedTokens >= int(kPrompt.size()));
            QCOMPARE(calls, std::abs(lossAt));
        } // the model (and its backend) goes before the device
    }

private:
    void useSuiteDevice()
    {
        model::setGpuBackendFactory([](std::shared_ptr<const model::LoadedModel> model, const LoadOptions& o) {
            return gpu::createVulkanBackendOn(std::move(model), *gputest::g_env->device, gpu::vulkanOptionsFor(o));
        });
    }

    QTemporaryDir m_dir;
    std::string m_path;
    std::vector<int32_t> m_reference;
};

INKSTONE_GPU_TEST_MAIN(TestGpuFallback)
#include "tst_gpu_fallback.moc"
