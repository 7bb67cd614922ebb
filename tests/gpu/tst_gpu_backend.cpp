// The Vulkan backend against the CPU backend on a tiny writer-made model (tests/engine/TinyModel.h):
// same logits for a prefill and for token-by-token decoding over the device KV cache, for F32 and
// quantized weights and both KV cache types; models it cannot run are refused with a reason.

#include "GpuTestEnv.h"

#include "MemoryPlan.h"
#include "Ops.h"
#include "TinyModel.h"
#include "VulkanBackend.h"
#include "cpu/CpuBackend.h"
#include "gguf/GgufFile.h"
#include "model/LoadedModel.h"

#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace engine;
using quant::TensorType;

namespace {

std::shared_ptr<const model::LoadedModel> loadTiny(const QTemporaryDir& dir, const testing::TinyModelOptions& options)
{
    const std::string path = dir.filePath(QStringLiteral("tiny.gguf")).toStdString();
    if (!testing::writeTinyModel(path, options))
        return nullptr;
    auto file = gguf::GgufFile::open(path);
    if (!file)
        return nullptr;
    auto loaded = model::loadModel(std::move(*file));
    return loaded ? *loaded : nullptr;
}

double nmse(const float* got, const float* want, int n)
{
    double err = 0, ref = 0;
    for (int i = 0; i < n; ++i) {
        err += (got[i] - want[i]) * double(got[i] - want[i]);
        ref += double(want[i]) * want[i];
    }
    return err / ref;
}

// Logits of every position of `prompt` in one call, then of each of `more` decoded one by one.
std::vector<float> runAll(model::Backend& backend, KvCacheType kv, const std::vector<int32_t>& prompt, const std::vector<int32_t>& more,
                          int nVocab, QString* error, int nCtx = 64)
{
    auto context = backend.createContext(nCtx, kv);
    if (!context) {
        *error = QString::fromStdString(context.error().message());
        return {};
    }
    std::vector<int32_t> rows(prompt.size());
    for (size_t i = 0; i < rows.size(); ++i)
        rows[i] = int32_t(i);
    std::vector<float> logits((prompt.size() + more.size()) * size_t(nVocab));
    if (auto r = (*context)->forward(prompt, 0, rows, logits.data(), nullptr); !r) {
        *error = QString::fromStdString(r.error().message());
        return {};
    }
    for (size_t i = 0; i < more.size(); ++i) {
        const int32_t row = 0;
        float* out = logits.data() + (prompt.size() + i) * size_t(nVocab);
        if (auto r = (*context)->forward(std::span(&more[i], 1), int(prompt.size() + i), std::span(&row, 1), out, nullptr); !r) {
            *error = QString::fromStdString(r.error().message());
            return {};
        }
    }
    return logits;
}

} // namespace

class TestGpuBackend : public QObject {
    Q_OBJECT
private slots:
    void cleanup() { gputest::g_env->checkValidation(); }

    void sameLogitsAsTheCpu_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<bool>("kvF16");
        QTest::addColumn<double>("maxNmse");
        QTest::addColumn<double>("tieMargin"); // top-1 must agree unless the CPU's top two are closer (relative)
        QTest::addColumn<bool>("longPrompt");  // 21 tokens: the prefill takes the tiled matMul (from 16 vectors)
        // F32 weights: the CPU multiplies in f32 as well; only summation order differs.
        QTest::newRow("f32 weights, f32 cache") << int(TensorType::F32) << false << 1e-9 << 1e-5 << false;
        QTest::newRow("f32 weights, f32 cache, tiled prefill") << int(TensorType::F32) << false << 1e-9 << 1e-5 << true;
        // An f16 cache: the CPU also rounds the query to f16 for its f16 dot products (as ggml).
        QTest::newRow("f32 weights, f16 cache") << int(TensorType::F32) << true << 1e-6 << 1e-4 << false;
        // Quantized weights: the CPU quantizes activations to Q8 (as ggml does), the GPU keeps
        // them in f32, so the two differ by that rounding.
        QTest::newRow("q8_0 weights") << int(TensorType::Q8_0) << true << 1e-3 << 2e-2 << false;
        QTest::newRow("q4_0 weights") << int(TensorType::Q4_0) << true << 1e-3 << 2e-2 << false;
        QTest::newRow("q4_0 weights, tiled prefill") << int(TensorType::Q4_0) << true << 1e-3 << 2e-2 << true;
    }

    void sameLogitsAsTheCpu()
    {
        QFETCH(int, type);
        QFETCH(bool, kvF16);
        QFETCH(double, maxNmse);
        QFETCH(double, tieMargin);
        QFETCH(bool, longPrompt);
        QTemporaryDir dir;
        testing::TinyModelOptions options;
        options.matrixType = TensorType(type);
        auto tiny = loadTiny(dir, options);
        QVERIFY(tiny);
        auto cpu = cpu::createCpuBackend(tiny, 1);
        QVERIFY(cpu.ok());
        // On the suite's device, so the validation layer watches the backend too.
        auto vk = gpu::createVulkanBackendOn(tiny, *gputest::g_env->device);
        QVERIFY2(vk.ok(), vk.ok() ? "" : vk.error().message().c_str());
        QVERIFY((*vk)->description().rfind("Vulkan", 0) == 0);

        std::vector<int32_t> prompt = {testing::kTinyBos, 72, 101, 108, 108, 111, 44, 32, 256};
        if (longPrompt)
            prompt.insert(prompt.end(), {119, 111, 114, 108, 100, 33, 32, 72, 105, 32, 116, 104});
        const std::vector<int32_t> more = {119, 111, 114};
        const KvCacheType kv = kvF16 ? KvCacheType::F16 : KvCacheType::F32;
        QString error;
        const std::vector<float> want = runAll(**cpu, kv, prompt, more, testing::kTinyVocab, &error);
        QVERIFY2(!want.empty(), qPrintable(error));
        const std::vector<float> got = runAll(**vk, kv, prompt, more, testing::kTinyVocab, &error);
        QVERIFY2(!got.empty(), qPrintable(error));

        for (size_t p = 0; p < prompt.size() + more.size(); ++p) {
            const float* g = got.data() + p * testing::kTinyVocab;
            const float* w = want.data() + p * testing::kTinyVocab;
            double err = 0, ref = 0;
            for (int i = 0; i < testing::kTinyVocab; ++i) {
                err += (g[i] - w[i]) * double(g[i] - w[i]);
                ref += double(w[i]) * w[i];
            }
            QVERIFY2(err / ref < maxNmse, qPrintable(QStringLiteral("position %1: NMSE %2").arg(p).arg(err / ref)));
            // Same top-1 unless the CPU's own top two are closer than the difference allows.
            std::vector<int> order(testing::kTinyVocab);
            for (int i = 0; i < testing::kTinyVocab; ++i)
                order[i] = i;
            std::partial_sort(order.begin(), order.begin() + 2, order.end(), [&](int a, int b) { return w[a] > w[b]; });
            const int gpuTop = int(std::max_element(g, g + testing::kTinyVocab) - g);
            if (w[order[0]] - w[order[1]] > tieMargin * std::abs(w[order[0]]))
                QVERIFY2(gpuTop == order[0], qPrintable(QStringLiteral("position %1: gpu %2 (%3) cpu %4 (%5, second %6 %7) cpu-of-gpu-top %8").arg(p).arg(gpuTop).arg(g[gpuTop]).arg(order[0]).arg(w[order[0]]).arg(order[1]).arg(w[order[1]]).arg(w[gpuTop])));
        }
    }

    void partialOffloadGivesTheSameLogits_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<bool>("kvF16");
        QTest::addColumn<QString>("limit");   // the device memory left: "1 layer", "all layers"; "" none
        QTest::addColumn<int>("gpuLayers");   // asked for; -1: automatic
        QTest::addColumn<int>("expected");    // layers that end up on the GPU
        QTest::addColumn<double>("maxNmse");  // against the CPU and against the whole model on the GPU
        QTest::newRow("memory for one layer") << int(TensorType::F32) << false << "1 layer" << -1 << 1 << 1e-9;
        QTest::newRow("memory for the layers, not the output") << int(TensorType::F32) << false << "all layers" << -1 << 2 << 1e-9;
        QTest::newRow("one layer asked for") << int(TensorType::F32) << false << "" << 1 << 1 << 1e-9;
        // Quantized weights: the CPU's layers round activations to Q8, the GPU's do not.
        QTest::newRow("q4_0, f16 cache, memory for one layer") << int(TensorType::Q4_0) << true << "1 layer" << -1 << 1 << 1e-3;
    }

    void partialOffloadGivesTheSameLogits()
    {
        QFETCH(int, type);
        QFETCH(bool, kvF16);
        QFETCH(QString, limit);
        QFETCH(int, gpuLayers);
        QFETCH(int, expected);
        QFETCH(double, maxNmse);
        QTemporaryDir dir;
        testing::TinyModelOptions options;
        options.matrixType = TensorType(type);
        auto tiny = loadTiny(dir, options);
        QVERIFY(tiny);
        QCOMPARE(tiny->config.nLayer, 2);
        const KvCacheType kv = kvF16 ? KvCacheType::F16 : KvCacheType::F32;
        constexpr int nCtx = 64; // runAll's context
        gpu::Device& device = *gputest::g_env->device;
        const std::vector<int32_t> prompt = {testing::kTinyBos, 72, 101, 108, 108, 111, 44, 32, 256};
        const std::vector<int32_t> more = {119, 111, 114};
        QString error;

        auto cpu = cpu::createCpuBackend(tiny, 1);
        QVERIFY(cpu.ok());
        const std::vector<float> onCpu = runAll(**cpu, kv, prompt, more, testing::kTinyVocab, &error);
        QVERIFY2(!onCpu.empty(), qPrintable(error));
        gpu::VulkanBackendOptions vo;
        vo.contextLength = nCtx;
        vo.kvCacheType = kv;
        vo.threads = 1;
        std::vector<float> onGpu;
        {
            auto whole = gpu::createVulkanBackendOn(tiny, device, vo);
            QVERIFY2(whole.ok(), whole.ok() ? "" : whole.error().message().c_str());
            QVERIFY((*whole)->description().find("layers") == std::string::npos);
            onGpu = runAll(**whole, kv, prompt, more, testing::kTinyVocab, &error);
            QVERIFY2(!onGpu.empty(), qPrintable(error));
        }

        // Leave the device just the memory the plan says one layer / all layers without the
        // output need, plus half of what the next step would add.
        const gpu::MemoryNeeds needs = gpu::estimateMemory(*tiny, nCtx, kv, device.maxBufferBytes());
        if (limit == QLatin1String("1 layer"))
            device.setAllocationLimitForTesting(device.allocatedBytes() + (needs.total(1, false) + needs.total(2, false)) / 2);
        else if (limit == QLatin1String("all layers"))
            device.setAllocationLimitForTesting(device.allocatedBytes() + (needs.total(2, false) + needs.total(2, true)) / 2);
        vo.gpuLayers = gpuLayers;
        auto split = gpu::createVulkanBackendOn(tiny, device, vo);
        QVERIFY2(split.ok(), split.ok() ? "" : split.error().message().c_str());
        const std::string description = (*split)->description();
        QVERIFY2(description.find(std::to_string(expected) + "/2 layers, the rest on CPU") != std::string::npos, description.c_str());
        const std::vector<float> got = runAll(**split, kv, prompt, more, testing::kTinyVocab, &error);
        device.setAllocationLimitForTesting(UINT64_MAX);
        QVERIFY2(!got.empty(), qPrintable(error));
        for (size_t p = 0; p < prompt.size() + more.size(); ++p) {
            const size_t at = p * testing::kTinyVocab;
            const double vsCpu = nmse(got.data() + at, onCpu.data() + at, testing::kTinyVocab);
            const double vsGpu = nmse(got.data() + at, onGpu.data() + at, testing::kTinyVocab);
            QVERIFY2(vsCpu < maxNmse && vsGpu < maxNmse, qPrintable(QStringLiteral("position %1: NMSE %2 vs the CPU, %3 vs the GPU").arg(p).arg(vsCpu).arg(vsGpu)));
        }
    }

    // The context shift on the device (cells moved, keys re-rotated) gives what the CPU backend's
    // gives: 100 cached tokens, 10 removed after the first 4 (86 cells move, more than one
    // 64-cell chunk), then the next token's logits. With partial offload the CPU's layers move
    // their own cells.
    void removeCellsMatchesTheCpu_data()
    {
        QTest::addColumn<bool>("kvF16");
        QTest::addColumn<int>("gpuLayers");
        QTest::addColumn<double>("maxNmse");
        QTest::newRow("f32 cache") << false << -1 << 1e-9;
        QTest::newRow("f16 cache") << true << -1 << 1e-6;
        QTest::newRow("partial offload, one layer") << false << 1 << 1e-9;
    }

    void removeCellsMatchesTheCpu()
    {
        QFETCH(bool, kvF16);
        QFETCH(int, gpuLayers);
        QFETCH(double, maxNmse);
        QTemporaryDir dir;
        auto tiny = loadTiny(dir, testing::TinyModelOptions{});
        QVERIFY(tiny);
        const KvCacheType kv = kvF16 ? KvCacheType::F16 : KvCacheType::F32;
        constexpr int nCtx = 128;
        auto cpu = cpu::createCpuBackend(tiny, 1);
        QVERIFY(cpu.ok());
        gpu::VulkanBackendOptions vo;
        vo.contextLength = nCtx;
        vo.kvCacheType = kv;
        vo.threads = 1;
        vo.gpuLayers = gpuLayers;
        auto vk = gpu::createVulkanBackendOn(tiny, *gputest::g_env->device, vo);
        QVERIFY2(vk.ok(), vk.ok() ? "" : vk.error().message().c_str());

        std::vector<int32_t> prompt(100);
        for (size_t i = 0; i < prompt.size(); ++i)
            prompt[i] = int32_t((i * 37 + 11) % 256);
        const int32_t next = 119, row = 0;
        auto shifted = [&](model::Backend& backend, std::vector<float>& logits) -> QString {
            auto context = backend.createContext(nCtx, kv);
            if (!context)
                return QString::fromStdString(context.error().message());
            logits.assign(testing::kTinyVocab, 0.0f);
            if (auto r = (*context)->forward(prompt, 0, {}, logits.data(), nullptr); !r)
                return QString::fromStdString(r.error().message());
            if (auto r = (*context)->removeCells(4, 10, int(prompt.size())); !r)
                return QString::fromStdString(r.error().message());
            if (auto r = (*context)->forward({&next, 1}, int(prompt.size()) - 10, {&row, 1}, logits.data(), nullptr); !r)
                return QString::fromStdString(r.error().message());
            return {};
        };
        std::vector<float> want, got;
        QString error = shifted(**cpu, want);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        error = shifted(**vk, got);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const double e = nmse(got.data(), want.data(), testing::kTinyVocab);
        qInfo("NMSE against the CPU: %.2e", e);
        QVERIFY2(e < maxNmse, qPrintable(QString::number(e)));
    }

    void longContextDecodeSplitsTheKeys()
    {
        // Decoding after 300 tokens: attention over more than gpu::kSplitKeys keys takes the
        // split-K path (tst_gpu_ops checks it op by op; here the backend feeds it its cache).
        QTemporaryDir dir;
        testing::TinyModelOptions options;
        options.contextLength = 512;
        auto tiny = loadTiny(dir, options);
        QVERIFY(tiny);
        std::vector<int32_t> prompt(300);
        testing::TinyRng rng(7);
        for (int32_t& t : prompt)
            t = int32_t(rng.next() % 256);
        const std::vector<int32_t> more = {119, 111, 114};
        gpu::AttentionParams decode;
        decode.tokens = 1;
        decode.pos0 = uint32_t(prompt.size());
        QVERIFY(gpu::attentionSplits(decode) > 1);
        auto cpu = cpu::createCpuBackend(tiny, 1);
        QVERIFY(cpu.ok());
        gpu::VulkanBackendOptions vo;
        vo.contextLength = 512;
        vo.kvCacheType = KvCacheType::F32;
        auto vk = gpu::createVulkanBackendOn(tiny, *gputest::g_env->device, vo);
        QVERIFY2(vk.ok(), vk.ok() ? "" : vk.error().message().c_str());
        QString error;
        const std::vector<float> want = runAll(**cpu, KvCacheType::F32, prompt, more, testing::kTinyVocab, &error, 512);
        QVERIFY2(!want.empty(), qPrintable(error));
        const std::vector<float> got = runAll(**vk, KvCacheType::F32, prompt, more, testing::kTinyVocab, &error, 512);
        QVERIFY2(!got.empty(), qPrintable(error));
        for (size_t p = prompt.size() - 1; p < prompt.size() + more.size(); ++p) {
            const size_t at = p * testing::kTinyVocab;
            const double e = nmse(got.data() + at, want.data() + at, testing::kTinyVocab);
            QVERIFY2(e < 1e-9, qPrintable(QStringLiteral("position %1: NMSE %2").arg(p).arg(e)));
        }
    }

    void cancelledBeforeTheFirstLayer()
    {
        QTemporaryDir dir;
        auto tiny = loadTiny(dir, {});
        QVERIFY(tiny);
        auto vk = gpu::createVulkanBackendOn(tiny, *gputest::g_env->device);
        QVERIFY(vk.ok());
        auto context = (*vk)->createContext(16, KvCacheType::F16);
        QVERIFY(context.ok());
        std::atomic<bool> cancel{true};
        const int32_t token = 5, row = 0;
        std::vector<float> logits(testing::kTinyVocab);
        auto r = (*context)->forward(std::span(&token, 1), 0, std::span(&row, 1), logits.data(), &cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        // Out-of-range input is an error, not a dispatch.
        QVERIFY(!(*context)->forward(std::span(&token, 1), 16, std::span(&row, 1), logits.data(), nullptr).ok());
        const int32_t bad = testing::kTinyVocab;
        QVERIFY(!(*context)->forward(std::span(&bad, 1), 0, std::span(&row, 1), logits.data(), nullptr).ok());
    }

    void autoChoiceNeverTakesACpuDevice()
    {
        // What BackendChoice::Auto asks for: on a machine whose only device is lavapipe, the
        // factory must decline so the runtime uses the (faster) CPU backend.
        if (!gputest::g_env->device->info().isCpu())
            QSKIP("this machine has a real GPU");
        QTemporaryDir dir;
        auto tiny = loadTiny(dir, {});
        QVERIFY(tiny);
        gpu::VulkanBackendOptions vo;
        vo.pipelineCacheDir = "-";
        auto vk = gpu::createVulkanBackend(tiny, vo);
        QVERIFY(!vk.ok());
        QCOMPARE(vk.error().code, ErrorCode::Device);
    }

    void refusesWhatItCannotRunYet()
    {
        QTemporaryDir dir;
        auto tiny = loadTiny(dir, {});
        QVERIFY(tiny);
        QCOMPARE(gpu::unsupportedReason(*tiny), std::string());
        // The same weights declared as a LayerNorm model (views only; the file stays with tiny).
        auto changed = std::make_shared<model::LoadedModel>();
        changed->config = tiny->config;
        changed->weights = tiny->weights;
        changed->config.norm = model::NormKind::Layer; // llama has no norm biases
        QCOMPARE(gpu::unsupportedReason(*changed), std::string("LayerNorm without a bias"));
        auto vk = gpu::createVulkanBackendOn(changed, *gputest::g_env->device);
        QVERIFY(!vk.ok());
        QCOMPARE(vk.error().code, ErrorCode::Unsupported);
        QVERIFY(vk.error().detail.find("LayerNorm") != std::string::npos);
        changed->config.norm = model::NormKind::Rms;
        changed->config.attnSoftcap = 50.0f; // supported since gemma2
        changed->config.embedScale = 8.0f;
        QCOMPARE(gpu::unsupportedReason(*changed), std::string());
        changed->config.slidingWindow = 4;
        changed->config.layerUsesSlidingWindow.clear();
        QCOMPARE(gpu::unsupportedReason(*changed), std::string("a sliding window without its per-layer list"));
    }
};

INKSTONE_GPU_TEST_MAIN(TestGpuBackend)
#include "tst_gpu_backend.moc"
