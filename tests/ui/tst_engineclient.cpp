// EngineClient over the real engine with a tiny model written by the project's own GGUF
// writer: loading, streaming in batches, Stop, bad files, and the window's reaction to them.

#include "../engine/TinyModel.h"

#include "ChatPane.h"
#include "ChatTemplateSettings.h"
#include "ChatView.h"
#include "ChatWritePane.h"
#include "ConversationStore.h"
#include "EngineClient.h"
#include "MainWindow.h"
#include "MessageWidget.h"
#include "ModelBar.h"
#include "Pane.h"
#include "PieceBatcher.h"
#include "TestEnvironment.h"

#include "gguf/GgufFile.h"
#include "gguf/GgufWriter.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

namespace {
// A copy of a model file with its tokenizer.chat_template set to `chatTemplate`.
bool copyWithTemplate(const QString& from, const QString& to, const std::string& chatTemplate)
{
    auto file = engine::gguf::GgufFile::open(from.toStdString());
    if (!file)
        return false;
    engine::gguf::GgufWriter writer;
    for (const auto& [key, value] : file.value()->metadata())
        writer.setValue(key, value);
    writer.setValue("tokenizer.chat_template", engine::gguf::Value::string(chatTemplate));
    for (const auto& info : file.value()->tensors()) {
        const auto view = file.value()->tensor(info);
        if (!writer.addTensor(info.name, info.type, std::vector<int64_t>(info.ne, info.ne + info.nDims),
                              std::span<const uint8_t>(view.data, info.byteSize)))
            return false;
    }
    return static_cast<bool>(writer.write(to.toStdString()));
}
} // namespace

class TestEngineClient : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        isolateTestEnvironment(m_settingsDir);
        testing::TinyModelOptions options;
        options.contextLength = 512;
        m_modelPath = m_dataDir.filePath(QStringLiteral("tiny.gguf"));
        QVERIFY(testing::writeTinyModel(m_modelPath.toStdString(), options));
        m_badPath = m_dataDir.filePath(QStringLiteral("not-a-model.gguf"));
        QFile bad(m_badPath);
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("This is a text file that someone renamed to .gguf by mistake.");
    }

    void batcherReleasesAtMostOncePerInterval()
    {
        PieceBatcher batcher(1000);
        QCOMPARE(batcher.add(QStringLiteral("first")), QStringLiteral("first")); // at once
        QCOMPARE(batcher.add(QStringLiteral(" a")), QString());
        QCOMPARE(batcher.add(QStringLiteral(" b")), QString());
        QVERIFY(batcher.hasPending());
        QCOMPARE(batcher.takeRest(), QStringLiteral(" a b"));
        QVERIFY(!batcher.hasPending());
    }

    void loadsTheModelAndStreamsText()
    {
        EngineClient client;
        QSignalSpy loaded(&client, &ChatService::modelLoaded);
        QSignalSpy progress(&client, &ChatService::modelLoadProgress);
        client.loadModel(m_modelPath);
        QVERIFY(loaded.wait(20000));
        QVERIFY(progress.count() >= 2);
        const ModelInfo info = loaded.first().first().value<ModelInfo>();
        QCOMPARE(info.name, QStringLiteral("tiny-test"));
        QCOMPARE(info.architecture, QStringLiteral("llama"));
        QVERIFY(info.canGenerate);
        QVERIFY(!info.backend.isEmpty());
        QVERIFY(client.hasModel());

        QSignalSpy text(&client, &ChatService::textReady);
        QSignalSpy finished(&client, &ChatService::generationFinished);
        GenerationRequest request;
        request.messages = {{ChatMessage::Role::User, QStringLiteral("Hello")}};
        request.sampling.temperature = 0;
        request.sampling.maxTokens = 24;
        request.tokenDetails = true;
        QSignalSpy details(&client, &ChatService::tokenDetailsReady);
        const RequestId id = client.generate(request);
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.first().at(0).value<RequestId>(), id);
        const auto stats = finished.first().at(1).value<GenerationStats>();
        QVERIFY(!stats.cancelled);
        QVERIFY(stats.generatedTokens > 0);
        QVERIFY(stats.contextUsed > 0);
        QCOMPARE(stats.contextSize, 512);
        // Batched: never more text signals than tokens.
        QVERIFY(text.count() <= stats.generatedTokens);
        // One detail per generated token, each with a probability and its alternatives.
        qsizetype tokens = 0;
        for (const auto& batch : std::as_const(details)) {
            const auto list = batch.at(1).value<QList<TokenInfo>>();
            tokens += list.size();
            for (const TokenInfo& t : list) {
                QVERIFY(t.probability > 0.0f && t.probability <= 1.0f);
                QVERIFY(!t.alternatives.isEmpty());
            }
        }
        QCOMPARE(tokens, static_cast<qsizetype>(stats.generatedTokens));
    }

    // A prompt of several prefill chunks: promptProgress arrives before the first text, rising,
    // rate-limited, and ends at 1.0; the model bar shows "Reading prompt… N%" meanwhile.
    void longPromptReportsProgress()
    {
        EngineClient client;
        QSignalSpy loaded(&client, &ChatService::modelLoaded);
        client.loadModel(m_modelPath);
        QVERIFY(loaded.wait(20000));
        ModelBar bar(&client);
        auto* barProgress = bar.findChild<QProgressBar*>(QStringLiteral("modelProgress"));
        QVERIFY(barProgress);
        QStringList barTexts;
        QList<double> fractions;
        QElapsedTimer clock;
        clock.start();
        QList<qint64> times;
        bool textSeen = false;
        bool progressAfterText = false;
        connect(&client, &ChatService::promptProgress, this, [&](RequestId, double fraction) {
            fractions.append(fraction);
            times.append(clock.elapsed());
            progressAfterText = progressAfterText || textSeen;
            if (barProgress->isVisibleTo(&bar))
                barTexts.append(barProgress->text());
        });
        connect(&client, &ChatService::textReady, this, [&] { textSeen = true; });
        QSignalSpy finished(&client, &ChatService::generationFinished);
        GenerationRequest request;
        QString longText;
        while (longText.size() < 400)
            longText += QStringLiteral("The quick brown fox jumps over the lazy dog. ");
        request.messages = {{ChatMessage::Role::User, longText}};
        request.sampling.temperature = 0;
        request.sampling.maxTokens = 4;
        const RequestId id = client.generate(request);
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.first().at(0).value<RequestId>(), id);
        QVERIFY(finished.first().at(1).value<GenerationStats>().promptTokens > 2 * 128);
        QVERIFY2(fractions.size() >= 2, qPrintable(QString::number(fractions.size())));
        QVERIFY(!progressAfterText);
        QCOMPARE(fractions.last(), 1.0);
        for (qsizetype i = 1; i < fractions.size(); ++i)
            QVERIFY(fractions[i] > fractions[i - 1]);
        // At most ~30 a second (the worker sends reports at least 34 ms apart). Counted against
        // the whole span, not per gap: on a loaded machine two reports sent 34 ms apart can be
        // delivered to this thread back to back.
        const qint64 span = times.last() - times.first();
        QVERIFY2(fractions.size() <= span / 30 + 2, qPrintable(QStringLiteral("%1 reports in %2 ms").arg(fractions.size()).arg(span)));
        QVERIFY(!barTexts.isEmpty());
        QVERIFY2(barTexts.first().startsWith(QStringLiteral("Reading prompt")), qPrintable(barTexts.first()));
        QVERIFY(!barProgress->isVisibleTo(&bar)); // hidden again once the reply came

        // A short prompt is read in one step: no progress at all.
        fractions.clear();
        finished.clear();
        request.messages = {{ChatMessage::Role::User, QStringLiteral("Hi")}};
        client.generate(request);
        QVERIFY(finished.wait(20000));
        QVERIFY(fractions.isEmpty());
    }

    void stopEndsAGenerationQuickly()
    {
        // The demo model's song has no end (a random-weight model may pick EOS before Stop).
        EngineClient client;
        QSignalSpy loaded(&client, &ChatService::modelLoaded);
        client.loadModel(QStringLiteral(INKSTONE_DEMO_MODEL));
        QVERIFY(loaded.wait(20000));
        QSignalSpy text(&client, &ChatService::textReady);
        QSignalSpy finished(&client, &ChatService::generationFinished);
        GenerationRequest request;
        request.messages = {{ChatMessage::Role::User, QStringLiteral("Sing, and go on forever")}};
        request.sampling.maxTokens = -1; // a full context shifts: only Stop ends it
        const RequestId id = client.generate(request);
        QVERIFY(text.wait(20000));
        QElapsedTimer sinceStop;
        sinceStop.start();
        client.stop(id);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 2000);
        qInfo("stop took %lld ms", static_cast<long long>(sinceStop.elapsed()));
        QVERIFY(sinceStop.elapsed() < 200);
        QVERIFY(finished.first().at(1).value<GenerationStats>().cancelled);
    }

    void stopBeforeTheWorkerStartsIsNotLost()
    {
        EngineClient client;
        QSignalSpy loaded(&client, &ChatService::modelLoaded);
        client.loadModel(m_modelPath);
        QVERIFY(loaded.wait(20000));
        QSignalSpy finished(&client, &ChatService::generationFinished);
        GenerationRequest request;
        request.messages = {{ChatMessage::Role::User, QStringLiteral("x")}};
        const RequestId id = client.generate(request);
        client.stop(id); // before the queued request reaches the worker
        QVERIFY(finished.wait(20000));
        const auto stats = finished.first().at(1).value<GenerationStats>();
        QVERIFY(stats.cancelled);
        QCOMPARE(stats.generatedTokens, 0);
    }

    void badFilesFailWithAReasonAndTheClientKeepsWorking()
    {
        EngineClient client;
        QSignalSpy failed(&client, &ChatService::modelLoadFailed);
        QSignalSpy loaded(&client, &ChatService::modelLoaded);
        client.loadModel(m_badPath);
        QVERIFY(failed.wait(20000));
        QCOMPARE(failed.first().at(0).toString(), m_badPath);
        const auto failure = failed.first().at(1).value<ServiceFailure>();
        QCOMPARE(failure.kind, ServiceFailure::Kind::InvalidFile);
        QVERIFY(!failure.detail.isEmpty());
        QVERIFY(!client.hasModel());

        client.loadModel(m_dataDir.filePath(QStringLiteral("missing.gguf")));
        QVERIFY(failed.wait(20000));
        QCOMPARE(failed.last().at(1).value<ServiceFailure>().kind, ServiceFailure::Kind::Io);

        testing::TinyModelOptions other;
        other.architecture = "no-such-architecture";
        const QString unsupported = m_dataDir.filePath(QStringLiteral("unsupported.gguf"));
        QVERIFY(testing::writeTinyModel(unsupported.toStdString(), other));
        client.loadModel(unsupported);
        QVERIFY(failed.wait(20000));
        QCOMPARE(failed.last().at(1).value<ServiceFailure>().kind, ServiceFailure::Kind::Unsupported);

        client.loadModel(m_modelPath);
        QVERIFY(loaded.wait(20000));
        QVERIFY(client.hasModel());
    }

    void generateWithoutAModelFails()
    {
        EngineClient client;
        QSignalSpy failed(&client, &ChatService::generationFailed);
        client.generate({{{ChatMessage::Role::User, QStringLiteral("hi")}}, {}});
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(1).value<ServiceFailure>().kind, ServiceFailure::Kind::NoModel);
    }

    void windowShowsBadModelsAndThenChatsWithAGoodOne()
    {
        QTemporaryDir data;
        ConversationStore store;
        QVERIFY(store.open(data.filePath(QStringLiteral("w.sqlite"))));
        EngineClient client;
        MainWindow window(&client, &store, nullptr);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.isWelcomeShown()); // first run, no model yet
        window.loadModel(m_badPath);
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox*>(QStringLiteral("modelErrorBox"))) != nullptr);
        QVERIFY(box->informativeText().contains(QLatin1String("GGUF")));
        box->accept();

        QSignalSpy loaded(&client, &ChatService::modelLoaded);
        window.loadModel(m_modelPath);
        QVERIFY(loaded.wait(20000));
        QVERIFY(!window.isWelcomeShown());
        auto* chat = static_cast<ChatWritePane*>(window.pane(MainWindow::ChatWritePaneIndex))->chat();
        auto* input = chat->findChild<QPlainTextEdit*>(QStringLiteral("chatInput"));
        input->setPlainText(QStringLiteral("Hello, tiny model"));
        window.activateWindow(); // the message box had the focus
        QVERIFY(QTest::qWaitForWindowActive(&window));
        input->setFocus();
        QAction* send = window.findChild<QAction*>(QStringLiteral("generation_send"));
        QSignalSpy triggered(send, &QAction::triggered);
        QTest::keyClick(input, Qt::Key_Return, Qt::ControlModifier); // the window's send shortcut
        QCOMPARE(triggered.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(chat->findChild<ChatView*>(QStringLiteral("chatView"))->count() == 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!chat->isBusy(), 30000);
        auto* view = chat->findChild<ChatView*>(QStringLiteral("chatView"));
        QCOMPARE(view->count(), 2);
        QCOMPARE(store.messages(chat->currentConversation()).size(), 2);
    }

    void brokenTemplateIsShownAndTheBuiltinFormatWorks()
    {
        // Parses, but fails whenever it renders (as a hostile or buggy template does).
        const QString path = m_dataDir.filePath(QStringLiteral("broken-template.gguf"));
        QVERIFY(copyWithTemplate(m_modelPath, path, "{{ raise_exception('this template is broken on purpose') }}"));
        QTemporaryDir data;
        ConversationStore store;
        QVERIFY(store.open(data.filePath(QStringLiteral("t.sqlite"))));
        EngineClient client;
        MainWindow window(&client, &store, nullptr);
        window.show();
        QSignalSpy loaded(&client, &ChatService::modelLoaded);
        window.loadModel(path);
        QVERIFY(loaded.wait(20000));
        QVERIFY(client.modelInfo().chatTemplate.contains(QLatin1String("raise_exception")));
        auto* bar = window.findChild<QWidget*>(QStringLiteral("chatTemplateBar"));
        QVERIFY(bar && !bar->isVisible());

        auto* chat = static_cast<ChatWritePane*>(window.pane(MainWindow::ChatWritePaneIndex))->chat();
        auto* input = chat->findChild<QPlainTextEdit*>(QStringLiteral("chatInput"));
        QSignalSpy failed(&client, &ChatService::generationFailed);
        input->setPlainText(QStringLiteral("Hello"));
        window.showPane(MainWindow::ChatWritePaneIndex);
        window.currentPane()->submit();
        QVERIFY(failed.wait(20000));
        QCOMPARE(failed.first().at(1).value<ServiceFailure>().kind, ServiceFailure::Kind::Template);
        // The error is shown inline, with the way out.
        QTRY_VERIFY(bar->isVisible());
        QVERIFY(bar->findChild<QLabel*>(QStringLiteral("chatTemplateBarText"))->text().contains(QLatin1String("broken on purpose")));
        auto* useBuiltin = bar->findChild<QPushButton*>(QStringLiteral("chatTemplateBarUseBuiltin"));
        QVERIFY(useBuiltin->isVisible());
        QTRY_VERIFY(!chat->isBusy());

        QSignalSpy applied(&client, &ChatService::chatTemplateApplied);
        QTest::mouseClick(useBuiltin, Qt::LeftButton);
        QVERIFY(applied.wait(5000));
        QVERIFY(!bar->isVisible());
        QVERIFY(ChatTemplateSettings::load(path).mode == ChatTemplateOverride::Mode::Builtin); // kept for this file

        QSignalSpy finished(&client, &ChatService::generationFinished);
        input->setPlainText(QStringLiteral("Hello again"));
        window.currentPane()->submit();
        QVERIFY(finished.wait(30000));
        QCOMPARE(failed.count(), 1);
        QTRY_VERIFY(!chat->isBusy());

        // The choice survives a reload of the same file.
        QSignalSpy reloaded(&client, &ChatService::modelLoaded);
        window.loadModel(path);
        QVERIFY(reloaded.wait(20000));
        QSignalSpy finishedAgain(&client, &ChatService::generationFinished);
        input->setPlainText(QStringLiteral("Once more"));
        window.currentPane()->submit();
        QVERIFY(finishedAgain.wait(30000));
        QCOMPARE(failed.count(), 1);
        ChatTemplateSettings::save(path, {});
    }

    void unreadableTemplateFallsBackAndSaysSo()
    {
        const QString path = m_dataDir.filePath(QStringLiteral("unparsable-template.gguf"));
        QVERIFY(copyWithTemplate(m_modelPath, path, "{% if messages %}never closed"));
        QTemporaryDir data;
        ConversationStore store;
        QVERIFY(store.open(data.filePath(QStringLiteral("u.sqlite"))));
        EngineClient client;
        MainWindow window(&client, &store, nullptr);
        window.show();
        QSignalSpy loaded(&client, &ChatService::modelLoaded);
        window.loadModel(path);
        QVERIFY(loaded.wait(20000));
        QVERIFY(!client.modelInfo().templateProblem.isEmpty());
        auto* bar = window.findChild<QWidget*>(QStringLiteral("chatTemplateBar"));
        QTRY_VERIFY(bar->isVisible());
        QVERIFY(bar->findChild<QPushButton*>(QStringLiteral("chatTemplateBarEdit"))->isVisible());
        QSignalSpy finished(&client, &ChatService::generationFinished);
        auto* chat = static_cast<ChatWritePane*>(window.pane(MainWindow::ChatWritePaneIndex))->chat();
        chat->findChild<QPlainTextEdit*>(QStringLiteral("chatInput"))->setPlainText(QStringLiteral("Hi"));
        window.showPane(MainWindow::ChatWritePaneIndex);
        window.currentPane()->submit();
        QVERIFY(finished.wait(30000)); // the built-in format stands in
        QTRY_VERIFY(!chat->isBusy());
    }

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_dataDir;
    QString m_modelPath;
    QString m_badPath;
};

QTEST_MAIN(TestEngineClient)
#include "tst_engineclient.moc"
