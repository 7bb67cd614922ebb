// The window over the real engine running the demo model (tests/tools: an n-gram model of a few
// paragraphs written as transformer weights), so every pane gets a readable answer that can be
// checked word for word: load → send → streamed text → Stop within 200 ms → regenerate, and the
// Write, Translate and Code panes answering their own prompts.

#include "ChatPane.h"
#include "ChatView.h"
#include "ChatWritePane.h"
#include "CodePane.h"
#include "ConversationStore.h"
#include "EngineClient.h"
#include "MainWindow.h"
#include "MessageWidget.h"
#include "SettingsKeys.h"
#include "TestEnvironment.h"
#include "TranslatePane.h"
#include "WritePane.h"

#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>

#include <memory>

class TestDemoModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        isolateTestEnvironment(m_settingsDir);
        // The song never ends by itself: only Stop ends it (a full context shifts and goes on).
        QSettings().setValue(SettingsKeys::maxTokens, 1000000);
        QVERIFY2(QFile::exists(QStringLiteral(INKSTONE_DEMO_MODEL)), "build the inkstone_demo_model target");
        QVERIFY(m_store.open(m_dataDir.filePath(QStringLiteral("chat.sqlite"))));
        m_window = std::make_unique<MainWindow>(&m_client, &m_store, nullptr);
        m_window->resize(1000, 700);
        m_window->show();
        m_window->activateWindow(); // Esc is a window shortcut
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QSignalSpy loaded(&m_client, &ChatService::modelLoaded);
        m_window->loadModel(QStringLiteral(INKSTONE_DEMO_MODEL));
        QVERIFY(loaded.wait(20000));
        QCOMPARE(loaded.first().first().value<ModelInfo>().name, QStringLiteral("inkstone-demo"));
    }

    void cleanupTestCase() { m_window.reset(); }

    void chatAnswersTheQuestionItWasAsked()
    {
        send(QStringLiteral("How do I keep my notes in sync between two laptops without a cloud service?"));
        QTRY_VERIFY_WITH_TIMEOUT(!chat()->isBusy(), 20000);
        const QString reply = view()->last()->text();
        QVERIFY2(reply.startsWith(QLatin1String("You can keep both laptops up to date")), qPrintable(reply));
        QVERIFY(reply.contains(QLatin1String("sudo apt install syncthing")));
        QVERIFY(reply.endsWith(QLatin1String("push it over SSH instead.")));

        // The same question in Chinese gets the Chinese answer.
        chat()->newConversation();
        send(QStringLiteral("不用云服务，怎样让两台笔记本上的笔记保持同步？"));
        QTRY_VERIFY_WITH_TIMEOUT(!chat()->isBusy(), 20000);
        QVERIFY2(view()->last()->text().startsWith(QStringLiteral("可以不经过任何云服务")), qPrintable(view()->last()->text()));
    }

    void stopEndsAStreamingReplyQuicklyAndRegenerateStartsAgain()
    {
        chat()->newConversation();
        send(QStringLiteral("Please sing me a song"));
        // Streams: text shows up while the engine is still generating.
        QTRY_VERIFY_WITH_TIMEOUT(view()->count() == 2 && view()->last()->text().count(QLatin1String("la")) >= 3, 20000);
        QVERIFY(chat()->isBusy());
        QVERIFY(view()->last()->text().startsWith(QStringLiteral("♪ La la la")));
        stopWithin200ms();
        const QString first = view()->last()->text();
        QCOMPARE(m_store.messages(chat()->currentConversation()).last().content, first);

        // Regenerate replaces the stopped reply with a new one, which streams until stopped too.
        QTest::mouseClick(view()->last()->findChild<QToolButton*>(QStringLiteral("messageRegenerate")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(chat()->isBusy() && view()->last()->text().count(QLatin1String("la")) >= 3, 20000);
        QCOMPARE(view()->count(), 2);
        stopWithin200ms();
        QVERIFY(view()->last()->text().startsWith(QStringLiteral("♪ La la la")));
        QCOMPARE(m_store.messages(chat()->currentConversation()).size(), 2);
    }

    void writeRewritesTheSelection()
    {
        auto* chatWrite = static_cast<ChatWritePane*>(m_window->pane(MainWindow::ChatWritePaneIndex));
        chatWrite->showWrite(true);
        WritePane* write = chatWrite->write();
        const QString sentence = QStringLiteral("The West Lake was very very quiet and there was not many people around.");
        write->editor()->setPlainText(QStringLiteral("# Hangzhou\n\n") + sentence + QStringLiteral("\n"));
        write->editor()->setTextCursor(write->editor()->document()->find(sentence));
        write->apply(TaskPrompts::WriteAction::Rewrite);
        QTRY_VERIFY_WITH_TIMEOUT(!write->isBusy(), 20000);
        QCOMPARE(write->suggestion(), QStringLiteral("The West Lake was wonderfully quiet, with hardly anyone around, just as we had hoped."));
        chatWrite->showWrite(false);
    }

    void translateAndCodeAnswerTheirPrompts()
    {
        m_window->showPane(MainWindow::TranslatePaneIndex);
        auto* translate = static_cast<TranslatePane*>(m_window->pane(MainWindow::TranslatePaneIndex));
        auto* target = translate->findChild<QComboBox*>(QStringLiteral("translateTarget"));
        target->setCurrentIndex(target->findData(QStringLiteral("zh-Hans")));
        translate->findChild<QPlainTextEdit*>(QStringLiteral("translateInput"))
            ->setPlainText(QStringLiteral("Inkstone runs language models entirely on your own computer."));
        translate->submit();
        QTRY_VERIFY_WITH_TIMEOUT(!translate->isBusy(), 20000);
        QCOMPARE(translate->findChild<QPlainTextEdit*>(QStringLiteral("translateOutput"))->toPlainText(),
                 QStringLiteral("Inkstone 完全在你自己的电脑上运行语言模型。\n你输入的内容不会离开这台电脑。"));

        m_window->showPane(MainWindow::CodePaneIndex);
        auto* code = static_cast<CodePane*>(m_window->pane(MainWindow::CodePaneIndex));
        code->findChild<QComboBox*>(QStringLiteral("codeLanguage"))->setCurrentText(QStringLiteral("Python"));
        code->findChild<QPlainTextEdit*>(QStringLiteral("codeTask"))->setPlainText(QStringLiteral("Total expenses per category."));
        code->submit();
        QTRY_VERIFY_WITH_TIMEOUT(!code->isBusy(), 20000);
        // The fence is gone: the pane keeps only the code.
        QVERIFY2(code->resultCode().startsWith(QLatin1String("import csv\n")), qPrintable(code->resultCode()));
        QVERIFY(code->resultCode().contains(QLatin1String("def totals_by_category(path: str)")));
        QVERIFY(!code->resultCode().contains(QLatin1String("```")));
    }

    void eachPaneKeepsItsOwnCache()
    {
        // Chat, then Translate, then a chat follow-up: the follow-up finds the whole first
        // chat prompt still processed (one session per pane), instead of only the BOS token
        // that a single session shared with Translate would have kept.
        QSignalSpy finished(&m_client, &ChatService::generationFinished);
        chat()->newConversation();
        send(QStringLiteral("How do I keep my notes in sync?"));
        QTRY_VERIFY_WITH_TIMEOUT(!chat()->isBusy(), 20000);
        QCOMPARE(finished.count(), 1);
        const int firstPrompt = finished.last().at(1).value<GenerationStats>().promptTokens;

        m_window->showPane(MainWindow::TranslatePaneIndex);
        auto* translate = static_cast<TranslatePane*>(m_window->pane(MainWindow::TranslatePaneIndex));
        translate->findChild<QPlainTextEdit*>(QStringLiteral("translateInput"))->setPlainText(QStringLiteral("Nothing you type leaves it."));
        translate->submit();
        QTRY_VERIFY_WITH_TIMEOUT(!translate->isBusy(), 20000);
        QCOMPARE(finished.count(), 2);

        send(QStringLiteral("Thanks! Does it work with a phone too?"));
        QTRY_VERIFY_WITH_TIMEOUT(!chat()->isBusy(), 20000);
        QCOMPARE(finished.count(), 3);
        const auto followUp = finished.last().at(1).value<GenerationStats>();
        QVERIFY2(followUp.reusedTokens >= firstPrompt,
                 qPrintable(QStringLiteral("reused %1 of %2, first prompt %3").arg(followUp.reusedTokens).arg(followUp.promptTokens).arg(firstPrompt)));
    }

private:
    ChatPane* chat() const
    {
        return static_cast<ChatWritePane*>(m_window->pane(MainWindow::ChatWritePaneIndex))->chat();
    }
    ChatView* view() const { return chat()->findChild<ChatView*>(QStringLiteral("chatView")); }

    void send(const QString& text)
    {
        m_window->showPane(MainWindow::ChatWritePaneIndex);
        auto* input = chat()->findChild<QPlainTextEdit*>(QStringLiteral("chatInput"));
        input->setPlainText(text);
        input->setFocus();
        QTest::keyClick(input, Qt::Key_Return);
    }

    void stopWithin200ms()
    {
        QElapsedTimer sinceStop;
        sinceStop.start();
        QTest::keyClick(m_window.get(), Qt::Key_Escape); // the window's Stop shortcut
        QTRY_VERIFY_WITH_TIMEOUT(!chat()->isBusy(), 200);
        QVERIFY(sinceStop.elapsed() < 200);
        QVERIFY(view()->last()->findChild<QLabel*>(QStringLiteral("messageNotice"))->isVisibleTo(view()->last()));
    }

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_dataDir;
    EngineClient m_client;
    ConversationStore m_store;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(TestDemoModel)
#include "tst_demomodel.moc"
