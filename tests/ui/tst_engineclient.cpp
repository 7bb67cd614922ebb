// EngineClient over the real engine with a tiny model written by the project's own GGUF
// writer: loading, streaming in batches, Stop, bad files, and the window's reaction to them.

#include "../engine/TinyModel.h"

#include "ChatPane.h"
#include "ChatView.h"
#include "ChatWritePane.h"
#include "ConversationStore.h"
#include "EngineClient.h"
#include "MainWindow.h"
#include "MessageWidget.h"
#include "PieceBatcher.h"
#include "TestEnvironment.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>

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

    void stopEndsAGenerationQuickly()
    {
        EngineClient client;
        QSignalSpy loaded(&client, &ChatService::modelLoaded);
        client.loadModel(m_modelPath);
        QVERIFY(loaded.wait(20000));
        QSignalSpy text(&client, &ChatService::textReady);
        QSignalSpy finished(&client, &ChatService::generationFinished);
        GenerationRequest request;
        request.messages = {{ChatMessage::Role::User, QStringLiteral("Go on forever")}};
        request.sampling.maxTokens = -1; // until the context is full, unless stopped
        request.sampling.seed = 7;
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

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_dataDir;
    QString m_modelPath;
    QString m_badPath;
};

QTEST_MAIN(TestEngineClient)
#include "tst_engineclient.moc"
