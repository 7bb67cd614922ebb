// Where the model runs, as the user sets it and sees it: the backend, GPU device and GPU layers of
// Settings round-trip through QSettings and reach the engine at the next load; the model bar
// shows "Vulkan · <device>" or "CPU · <ISA>"; a GPU that cannot take the model, that fails in the
// middle of a reply, or that holds only part of the model puts a note in the status bar and the
// log, and the reply still arrives word for word (the demo model, tests/tools).
//
// The failing GPU is the engine's own GPU factory hook (model::setGpuBackendFactory) wrapped
// around a backend that fails on a chosen forward pass: the app's Vulkan backend on lavapipe in a
// build with Vulkan, the CPU backend standing in for a GPU without it. Either way the engine's
// fallback code and the app's reporting run for real.

#include "ChatPane.h"
#include "ChatView.h"
#include "ChatWritePane.h"
#include "ConversationStore.h"
#include "EngineClient.h"
#include "GpuSupport.h"
#include "MainWindow.h"
#include "MessageWidget.h"
#include "ModelBar.h"
#include "SettingsDialog.h"
#include "SettingsKeys.h"
#include "TestEnvironment.h"

#include "core/CpuFeatures.h"
#include "core/Log.h"
#include "cpu/CpuBackend.h"
#include "model/Backend.h"

#if defined(INKSTONE_HAVE_VULKAN)
#include "VulkanBackend.h"
#include "VulkanSupport.h"
#endif

#include <QComboBox>
#include <QLabel>
#include <QMutex>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace engine;

namespace {

// Fails forward pass number failAt (counted over all its contexts) with a lost device, as a
// crashed driver would; the engine must move the session to the CPU and carry on.
class FailingContext final : public model::BackendContext {
public:
    FailingContext(std::unique_ptr<model::BackendContext> inner, int failAt, std::shared_ptr<std::atomic<int>> calls)
        : m_inner(std::move(inner)), m_failAt(failAt), m_calls(std::move(calls)) {}
    int capacity() const override { return m_inner->capacity(); }
    Result<void> forward(std::span<const int32_t> tokens, int startPos, std::span<const int32_t> logitRows, float* logits,
                         const std::atomic<bool>* cancel) override
    {
        if (++*m_calls == m_failAt)
            return makeError(ErrorCode::Device, "vkQueueSubmit: VK_ERROR_DEVICE_LOST (injected)");
        return m_inner->forward(tokens, startPos, logitRows, logits, cancel);
    }

private:
    std::unique_ptr<model::BackendContext> m_inner;
    int m_failAt;
    std::shared_ptr<std::atomic<int>> m_calls;
};

class FailingBackend final : public model::Backend {
public:
    FailingBackend(std::unique_ptr<model::Backend> inner, int failAt, std::string description)
        : m_inner(std::move(inner)), m_failAt(failAt), m_description(std::move(description)) {}
    std::string description() const override { return m_description.empty() ? m_inner->description() : m_description; }
    Result<std::unique_ptr<model::BackendContext>> createContext(int nCtx, KvCacheType kvType) override
    {
        auto inner = m_inner->createContext(nCtx, kvType);
        if (!inner)
            return inner.error();
        return std::unique_ptr<model::BackendContext>(std::make_unique<FailingContext>(std::move(*inner), m_failAt, calls));
    }
    std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);

private:
    std::unique_ptr<model::Backend> m_inner;
    int m_failAt;
    std::string m_description;
};

// The GPU of this build: the Vulkan backend on the automatic device with CPU devices allowed
// (lavapipe here), or, without Vulkan, the CPU backend in its place.
Result<std::unique_ptr<model::Backend>> gpuBackend(std::shared_ptr<const model::LoadedModel> model, const LoadOptions& options)
{
#if defined(INKSTONE_HAVE_VULKAN)
    LoadOptions vulkan = options;
    vulkan.backend = BackendChoice::Vulkan;
    return gpu::createVulkanBackend(std::move(model), gpu::vulkanOptionsFor(vulkan));
#else
    return cpu::createCpuBackend(std::move(model), options.threads);
#endif
}

const QString kQuestion = QStringLiteral("How do I keep my notes in sync between two laptops without a cloud service?");

} // namespace

class TestBackend : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        isolateTestEnvironment(m_settingsDir);
        // The Vulkan pipeline cache goes to $XDG_CACHE_HOME: never the user's.
        qputenv("XDG_CACHE_HOME", m_dataDir.filePath(QStringLiteral("cache")).toUtf8());
        QVERIFY2(QFile::exists(QStringLiteral(INKSTONE_DEMO_MODEL)), "build the inkstone_demo_model target");
        engine::setLogSink([this](LogLevel level, const std::string& line) {
            if (level < LogLevel::Warning)
                return;
            const QMutexLocker lock(&m_logMutex);
            m_log.append(QString::fromStdString(line));
        });
    }

    void cleanup()
    {
        model::setGpuBackendFactory({});
        GpuSupport::install({});
        QSettings().clear();
        m_window.reset();
        m_client.reset();
        m_store.reset();
        const QMutexLocker lock(&m_logMutex);
        m_log.clear();
    }

    void cleanupTestCase() { engine::setLogSink({}); }

    void settingsRoundTrip()
    {
        QStringList selected;
        GpuSupport::install({[] {
                                 return QList<GpuDevice>{{QStringLiteral("Test GPU A"), QStringLiteral("discrete"), qint64(8) << 30, {}},
                                                         {QStringLiteral("Old GPU"), QStringLiteral("integrated"), qint64(1) << 30,
                                                          QStringLiteral("no 8-bit storage")}};
                             },
                             [&selected](const QString& selector) { selected.append(selector); }});
        QSettings settings;
        settings.setValue(SettingsKeys::backend, QStringLiteral("vulkan"));
        settings.setValue(SettingsKeys::device, QStringLiteral("Unplugged eGPU"));
        settings.setValue(SettingsKeys::gpuLayers, 12);
        settings.sync();
        {
            SettingsDialog dialog;
            auto* backend = dialog.findChild<QComboBox*>(QStringLiteral("settingsBackend"));
            auto* device = dialog.findChild<QComboBox*>(QStringLiteral("settingsDevice"));
            auto* layers = dialog.findChild<QSpinBox*>(QStringLiteral("settingsGpuLayers"));
            QCOMPARE(backend->currentData().toString(), QStringLiteral("vulkan"));
            QCOMPARE(layers->value(), 12);
            QVERIFY(device->isEnabled() && layers->isEnabled());
            // Automatic, the two devices, and the stored one that is missing now (kept).
            QCOMPARE(device->count(), 4);
            QCOMPARE(device->currentData().toString(), QStringLiteral("Unplugged eGPU"));
            QVERIFY(device->currentText().contains(QLatin1String("Unplugged eGPU")));
            const int old = device->findData(QStringLiteral("Old GPU"));
            QVERIFY(!qobject_cast<QStandardItemModel*>(device->model())->item(old)->isEnabled());
            QCOMPARE(device->itemData(old, Qt::ToolTipRole).toString(), QStringLiteral("no 8-bit storage"));
            QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("settingsGpuNote"))->text().contains(QLatin1String("next time a model is loaded")));

            // Saving untouched keeps the missing device; then a new choice.
            dialog.save();
            QCOMPARE(QSettings().value(SettingsKeys::device).toString(), QStringLiteral("Unplugged eGPU"));
            backend->setCurrentIndex(backend->findData(QStringLiteral("auto")));
            device->setCurrentIndex(device->findData(QStringLiteral("Test GPU A")));
            layers->setValue(-1);
            QCOMPARE(layers->text(), layers->specialValueText()); // "Automatic", not "-1"
            dialog.save();
            // The CPU needs neither a device nor a layer count.
            backend->setCurrentIndex(backend->findData(QStringLiteral("cpu")));
            QVERIFY(!device->isEnabled() && !layers->isEnabled());
        }
        QCOMPARE(QSettings().value(SettingsKeys::backend).toString(), QStringLiteral("auto"));
        QCOMPARE(QSettings().value(SettingsKeys::device).toString(), QStringLiteral("Test GPU A"));
        QCOMPARE(QSettings().value(SettingsKeys::gpuLayers).toInt(), -1);
        {
            SettingsDialog dialog; // what was saved comes back
            QCOMPARE(dialog.findChild<QComboBox*>(QStringLiteral("settingsBackend"))->currentData().toString(), QStringLiteral("auto"));
            QCOMPARE(dialog.findChild<QComboBox*>(QStringLiteral("settingsDevice"))->currentData().toString(), QStringLiteral("Test GPU A"));
            QCOMPARE(dialog.findChild<QComboBox*>(QStringLiteral("settingsDevice"))->count(), 3);
            QCOMPARE(dialog.findChild<QSpinBox*>(QStringLiteral("settingsGpuLayers"))->value(), -1);
        }

        // A build without GPU support keeps the stored choice but offers nothing to change.
        GpuSupport::install({});
        SettingsDialog dialog;
        QVERIFY(!dialog.findChild<QComboBox*>(QStringLiteral("settingsBackend"))->isEnabled());
        QVERIFY(!dialog.findChild<QComboBox*>(QStringLiteral("settingsDevice"))->isEnabled());
        QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("settingsGpuNote"))->text().contains(QLatin1String("no GPU support")));
        dialog.save();
        QCOMPARE(QSettings().value(SettingsKeys::device).toString(), QStringLiteral("Test GPU A"));
        QVERIFY(selected.isEmpty()); // nothing loaded yet
    }

    void theNextLoadUsesTheSettings()
    {
        QStringList selected;
        GpuSupport::install({[] { return QList<GpuDevice>(); }, [&selected](const QString& selector) { selected.append(selector); }});
        auto asked = std::make_shared<LoadOptions>();
        model::setGpuBackendFactory([asked](std::shared_ptr<const model::LoadedModel> model, const LoadOptions& options) {
            *asked = options; // read after modelLoaded, which the worker sends afterwards
            return gpuBackend(std::move(model), options);
        });
        QSettings().setValue(SettingsKeys::device, QStringLiteral("Test GPU A"));
        QSettings().setValue(SettingsKeys::gpuLayers, 7);
        openWindow();
        QCOMPARE(selected, QStringList{QStringLiteral("Test GPU A")});
        QCOMPARE(asked->gpuLayers, 7);
        QCOMPARE(asked->backend, BackendChoice::Auto);

        // CPU only: the GPU is not asked, and the indicator names the CPU's instruction set.
        QSettings().setValue(SettingsKeys::backend, QStringLiteral("cpu"));
        asked->gpuLayers = -2;
        load();
        QCOMPARE(asked->gpuLayers, -2);
        QCOMPARE(selected.size(), 1);
        QCOMPARE(indicator()->text(), QStringLiteral("CPU · %1").arg(QString::fromStdString(cpuFeatures().bestIsaName())));
        QVERIFY(indicator()->toolTip().contains(QLatin1String(" threads")) || indicator()->toolTip().contains(QLatin1String(" thread")));
        QVERIFY(!noteLabel()->isVisible());
    }

#if defined(INKSTONE_HAVE_VULKAN)
    void theAppRunsOnTheChosenVulkanDevice()
    {
        VulkanSupport::install();
        const QList<GpuDevice> devices = GpuSupport::devices();
        const auto usable = std::find_if(devices.begin(), devices.end(), [](const GpuDevice& d) { return d.problem.isEmpty(); });
        if (usable == devices.end())
            QSKIP("no usable Vulkan device (not even lavapipe)");
        // Chosen by name, a CPU device is taken even by the automatic backend: the user asked.
        const GpuDevice device = *usable;
        QSettings().setValue(SettingsKeys::device, device.name);
        openWindow();
        QCOMPARE(indicator()->text(), QStringLiteral("Vulkan · %1").arg(device.name));
        QVERIFY(!noteLabel()->isVisible());
        sendAndCheckTheNotesAnswer();

        // A device that is not there: the CPU, and the status bar says the GPU was not used.
        QSettings().setValue(SettingsKeys::device, QStringLiteral("no such device"));
        load();
        QVERIFY(indicator()->text().startsWith(QStringLiteral("CPU · ")));
        QTRY_VERIFY(noteLabel()->isVisible());
        QVERIFY2(noteLabel()->toolTip().contains(QLatin1String("no such device")), qPrintable(noteLabel()->toolTip()));
    }
#endif

    void aGpuThatCannotTakeTheModelIsReported()
    {
        model::setGpuBackendFactory([](std::shared_ptr<const model::LoadedModel>, const LoadOptions&) -> Result<std::unique_ptr<model::Backend>> {
            return makeError(ErrorCode::OutOfMemory, "vkAllocateMemory: VK_ERROR_OUT_OF_DEVICE_MEMORY (injected)");
        });
        openWindow();
        QVERIFY(indicator()->text().startsWith(QStringLiteral("CPU · ")));
        QVERIFY(noteLabel()->isVisible());
        QCOMPARE(noteLabel()->text(), QStringLiteral("GPU not used: the model runs on the CPU"));
        QVERIFY2(noteLabel()->toolTip().contains(QLatin1String("OUT_OF_DEVICE_MEMORY")), qPrintable(noteLabel()->toolTip()));
        QVERIFY2(logged(QStringLiteral("OUT_OF_DEVICE_MEMORY")), qPrintable(m_log.join(QLatin1Char('\n'))));
        sendAndCheckTheNotesAnswer();

        // Unloading clears it.
        m_client->unloadModel();
        QVERIFY(!noteLabel()->isVisible());
    }

    void aGpuThatFailsMidReplyIsReportedAndTheReplyCompletes_data()
    {
        QTest::addColumn<int>("failAt");
        // The first forward pass is the prompt; the ones after it each decode one token.
        QTest::newRow("while reading the prompt") << 1;
        QTest::newRow("after three tokens") << 4;
    }

    void aGpuThatFailsMidReplyIsReportedAndTheReplyCompletes()
    {
        QFETCH(int, failAt);
        auto calls = std::make_shared<std::shared_ptr<std::atomic<int>>>();
        model::setGpuBackendFactory([failAt, calls](std::shared_ptr<const model::LoadedModel> model,
                                                    const LoadOptions& options) -> Result<std::unique_ptr<model::Backend>> {
            auto inner = gpuBackend(std::move(model), options);
            if (!inner)
                return inner.error();
            auto failing = std::make_unique<FailingBackend>(std::move(*inner), failAt, std::string());
            *calls = failing->calls;
            return std::unique_ptr<model::Backend>(std::move(failing));
        });
        openWindow();
        QVERIFY(!noteLabel()->isVisible()); // loaded on the "GPU"
#if defined(INKSTONE_HAVE_VULKAN)
        QVERIFY2(indicator()->text().startsWith(QStringLiteral("Vulkan · ")), qPrintable(indicator()->text()));
#endif
        QSignalSpy failed(m_client.get(), &ChatService::generationFailed);
        QSignalSpy notes(m_client.get(), &ChatService::backendNoteReported);
        sendAndCheckTheNotesAnswer();
        QCOMPARE(failed.count(), 0);
        QCOMPARE(notes.count(), 1); // once, though every later token sees the same note
        QCOMPARE(notes.first().first().value<BackendNote>().kind, BackendNote::Kind::SessionOnCpu);
        QCOMPARE(int(**calls), failAt); // the "GPU" ran until it failed and never after
        QVERIFY(noteLabel()->isVisible());
        QCOMPARE(noteLabel()->text(), QStringLiteral("The GPU failed: continuing on the CPU"));
        QVERIFY2(noteLabel()->toolTip().contains(QLatin1String("DEVICE_LOST")), qPrintable(noteLabel()->toolTip()));
        QVERIFY(logged(QStringLiteral("DEVICE_LOST")));

        // The conversation goes on (on the CPU), and the note stays until the next load.
        sendAndCheckTheNotesAnswer();
        QCOMPARE(notes.count(), 1);
        QVERIFY(noteLabel()->isVisible());
        load();
        QVERIFY(!noteLabel()->isVisible());
    }

    void theNoteShowsWhileTheReplyIsStillStreaming()
    {
        // The demo model's song has no end of its own: only Stop (or this cap, far beyond the
        // few tokens the note needs) ends it, so a note seen while it is busy came mid-reply.
        QSettings().setValue(SettingsKeys::maxTokens, 3000);
        model::setGpuBackendFactory([](std::shared_ptr<const model::LoadedModel> model,
                                       const LoadOptions& options) -> Result<std::unique_ptr<model::Backend>> {
            auto inner = gpuBackend(std::move(model), options);
            if (!inner)
                return inner.error();
            return std::unique_ptr<model::Backend>(std::make_unique<FailingBackend>(std::move(*inner), 6, std::string()));
        });
        openWindow();
        m_window->activateWindow(); // Esc is a window shortcut
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        auto* chat = static_cast<ChatWritePane*>(m_window->pane(MainWindow::ChatWritePaneIndex))->chat();
        auto* input = chat->findChild<QPlainTextEdit*>(QStringLiteral("chatInput"));
        input->setPlainText(QStringLiteral("Please sing me a song"));
        input->setFocus();
        QTest::keyClick(input, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(noteLabel()->isVisible(), 30000);
        QVERIFY2(chat->isBusy(), "the note came only after the reply");
        auto* view = chat->findChild<ChatView*>(QStringLiteral("chatView"));
        const qsizetype shown = view->last()->text().size();
        QTRY_VERIFY_WITH_TIMEOUT(view->last()->text().size() > shown + 20, 30000); // still coming, now from the CPU
        QTest::keyClick(m_window.get(), Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(!chat->isBusy(), 5000);
        QVERIFY(view->last()->text().startsWith(QStringLiteral("♪ La la la")));
    }

    void aModelSplitBetweenGpuAndCpuIsReported()
    {
        model::setGpuBackendFactory([](std::shared_ptr<const model::LoadedModel> model,
                                       const LoadOptions& options) -> Result<std::unique_ptr<model::Backend>> {
            auto inner = cpu::createCpuBackend(std::move(model), options.threads);
            if (!inner)
                return inner.error();
            // The engine's description of a split (gpu/src/VulkanBackend.cpp).
            return std::unique_ptr<model::Backend>(std::make_unique<FailingBackend>(
                std::move(*inner), 0, "Vulkan · Test GPU · 20/24 layers, the rest on CPU · AVX2 · 2 threads"));
        });
        openWindow();
        QCOMPARE(indicator()->text(), QStringLiteral("Vulkan · Test GPU"));
        QVERIFY(indicator()->toolTip().contains(QLatin1String("20/24 layers")));
        QVERIFY(noteLabel()->isVisible());
        QCOMPARE(noteLabel()->text(), QStringLiteral("Only part of the model fits on the GPU"));

        // A layer count the user chose is no news.
        QSettings().setValue(SettingsKeys::gpuLayers, 20);
        load();
        QVERIFY(!noteLabel()->isVisible());
    }

private:
    void openWindow()
    {
        m_client = std::make_unique<EngineClient>();
        m_store = std::make_unique<ConversationStore>();
        QVERIFY(m_store->open(QStringLiteral(":memory:")));
        m_window = std::make_unique<MainWindow>(m_client.get(), m_store.get(), nullptr);
        m_window->resize(1000, 700);
        m_window->show();
        load();
    }

    void load()
    {
        QSignalSpy loaded(m_client.get(), &ChatService::modelLoaded);
        m_window->loadModel(QStringLiteral(INKSTONE_DEMO_MODEL));
        QVERIFY(loaded.wait(30000));
    }

    void sendAndCheckTheNotesAnswer()
    {
        auto* chat = static_cast<ChatWritePane*>(m_window->pane(MainWindow::ChatWritePaneIndex))->chat();
        chat->newConversation();
        auto* input = chat->findChild<QPlainTextEdit*>(QStringLiteral("chatInput"));
        input->setPlainText(kQuestion);
        input->setFocus();
        QTest::keyClick(input, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!chat->isBusy(), 30000);
        const QString reply = chat->findChild<ChatView*>(QStringLiteral("chatView"))->last()->text();
        QVERIFY2(reply.startsWith(QLatin1String("You can keep both laptops up to date")), qPrintable(reply));
        QVERIFY2(reply.endsWith(QLatin1String("push it over SSH instead.")), qPrintable(reply));
    }

    QLabel* indicator() const { return m_window->findChild<QLabel*>(QStringLiteral("backendIndicator")); }
    QLabel* noteLabel() const { return m_window->statusBar()->findChild<QLabel*>(QStringLiteral("statusBackendNote")); }

    bool logged(const QString& part)
    {
        const QMutexLocker lock(&m_logMutex);
        for (const QString& line : std::as_const(m_log))
            if (line.startsWith(QLatin1String("backend: ")) && line.contains(part))
                return true;
        return false;
    }

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_dataDir;
    std::unique_ptr<EngineClient> m_client;
    std::unique_ptr<ConversationStore> m_store;
    std::unique_ptr<MainWindow> m_window;
    QMutex m_logMutex;
    QStringList m_log;
};

QTEST_MAIN(TestBackend)
#include "tst_backend.moc"
