// Takes the screenshots in docs/screenshots/: every pane in English and Chinese, driven through
// the real widgets and answered by the real engine running the demo model (tests/tools: an
// n-gram model of a few paragraphs written as transformer weights, so it answers these prompts
// with readable text). Built on request only (`ninja inkstone_screenshots`), never run by ctest.
//
//   xvfb-run -a -s "-screen 0 1280x800x24" build/tests/ui/inkstone_screenshots docs/screenshots
//
// Sampling is greedy, so the pictures are the same on every run.

#include "Appearance.h"
#include "ChatPane.h"
#include "ChatWritePane.h"
#include "CodePane.h"
#include "ConversationStore.h"
#include "EngineClient.h"
#include "MainWindow.h"
#include "SettingsKeys.h"
#include "TestEnvironment.h"
#include "TranslatePane.h"
#include "WritePane.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>

namespace {

// What the user types; the answers come from the model.
struct Script {
    QStringList earlierChats;
    QString question;
    QString document;
    QString selection;
    QString source;
    QString codeTask;
};

Script english()
{
    return {
        {QStringLiteral("Weekend dinner ideas"), QStringLiteral("Rust lifetimes, gently")},
        QStringLiteral("How do I keep my notes in sync between two laptops without a cloud service?"),
        QStringLiteral("# Trip report: Hangzhou\n\nWe arrived on a grey Tuesday morning. The West Lake was very very "
                       "quiet and there was not many people around, which we liked alot.\n\n"
                       "## Day two\n\nWe rented bicycles and rode along the Su Causeway.\n"),
        QStringLiteral("The West Lake was very very quiet and there was not many people around, which we liked alot."),
        QStringLiteral("Inkstone runs language models entirely on your own computer.\nNothing you type leaves it."),
        QStringLiteral("Parse a CSV file of expenses and print the total per category, largest first."),
    };
}

Script chinese()
{
    return {
        {QStringLiteral("周末做什么菜"), QStringLiteral("Rust 生命周期入门")},
        QStringLiteral("不用云服务，怎样让两台笔记本上的笔记保持同步？"),
        QStringLiteral("# 杭州游记\n\n我们在一个阴沉的周二早上到达。西湖非常非常的安静，周围人也不是很多的样子，"
                       "我们都很喜欢这一点。\n\n## 第二天\n\n我们租了自行车，沿着苏堤骑行。\n"),
        QStringLiteral("西湖非常非常的安静，周围人也不是很多的样子，我们都很喜欢这一点。"),
        QStringLiteral("Inkstone runs language models entirely on your own computer.\nNothing you type leaves it."),
        QStringLiteral("读取一个记账 CSV 文件，按类别汇总金额，从大到小输出。"),
    };
}

void settle(int ms = 300)
{
    QTest::qWait(ms);
}

bool save(QWidget* widget, const QString& path)
{
    settle();
    const bool ok = widget->grab().save(path);
    qInfo("%s %s", ok ? "wrote" : "FAILED", qPrintable(path));
    return ok;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QTemporaryDir settingsDir;
    isolateTestEnvironment(settingsDir);
    const QString outDir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("docs/screenshots");
    const QString modelPath = argc > 2 ? QString::fromLocal8Bit(argv[2]) : QStringLiteral(INKSTONE_DEMO_MODEL);
    QDir().mkpath(outDir);
    QApplication::setFont(QFont(QStringLiteral("DejaVu Sans"), 10));
    EngineClient service;
    bool ok = true;
    for (const QString& language : {QStringLiteral("en"), QStringLiteral("zh_CN")}) {
        const bool zh = language == QLatin1String("zh_CN");
        const QString suffix = zh ? QStringLiteral("zh_CN") : QStringLiteral("en");
        const Script s = zh ? chinese() : english();
        QSettings().clear();
        QSettings().setValue(SettingsKeys::temperature, 0.0); // greedy: the same pictures every time
        Appearance appearance;
        appearance.setLanguage(language);
        QCoreApplication::processEvents();
        ConversationStore store;
        store.open(QStringLiteral(":memory:"));
        service.unloadModel();

        {   // First run
            MainWindow window(&service, &store, &appearance);
            window.resize(1180, 760);
            window.show();
            ok &= save(&window, outDir + QStringLiteral("/welcome_%1.png").arg(suffix));
        }

        MainWindow window(&service, &store, &appearance);
        window.resize(1180, 760);
        window.show();
        QSignalSpy loaded(&service, &ChatService::modelLoaded);
        window.loadModel(modelPath);
        if (!loaded.wait(20000)) {
            qWarning("the demo model %s did not load", qPrintable(modelPath));
            return 1;
        }
        auto* chatWrite = static_cast<ChatWritePane*>(window.pane(MainWindow::ChatWritePaneIndex));

        // Chat: two earlier conversations in the sidebar, then the question.
        for (const QString& prompt : s.earlierChats + QStringList{s.question}) {
            chatWrite->chat()->newConversation();
            chatWrite->chat()->findChild<QPlainTextEdit*>(QStringLiteral("chatInput"))->setPlainText(prompt);
            chatWrite->chat()->submit();
            ok &= QTest::qWaitFor([&] { return !chatWrite->chat()->isBusy(); }, 20000);
        }
        ok &= save(&window, outDir + QStringLiteral("/chat_%1.png").arg(suffix));

        // Write: fix a clumsy sentence; the suggestion shows as a diff.
        chatWrite->showWrite(true);
        WritePane* write = chatWrite->write();
        write->editor()->setPlainText(s.document);
        QTextCursor cursor = write->editor()->document()->find(s.selection);
        write->editor()->setTextCursor(cursor);
        write->apply(TaskPrompts::WriteAction::Rewrite);
        ok &= QTest::qWaitFor([&] { return !write->isBusy(); }, 20000);
        ok &= save(&window, outDir + QStringLiteral("/write_%1.png").arg(suffix));

        // Translate, with a glossary entry.
        window.showPane(MainWindow::TranslatePaneIndex);
        auto* translate = static_cast<TranslatePane*>(window.pane(MainWindow::TranslatePaneIndex));
        auto* target = translate->findChild<QComboBox*>(QStringLiteral("translateTarget"));
        target->setCurrentIndex(target->findData(QStringLiteral("zh-Hans")));
        translate->addGlossaryEntry(QStringLiteral("Inkstone"), QString());
        translate->addGlossaryEntry(QStringLiteral("language model"), QStringLiteral("语言模型"));
        translate->findChild<QPlainTextEdit*>(QStringLiteral("translateInput"))->setPlainText(s.source);
        translate->submit();
        ok &= QTest::qWaitFor([&] { return !translate->isBusy(); }, 20000);
        ok &= save(&window, outDir + QStringLiteral("/translate_%1.png").arg(suffix));

        // Code: generate, then wait for the highlighter.
        window.showPane(MainWindow::CodePaneIndex);
        auto* code = static_cast<CodePane*>(window.pane(MainWindow::CodePaneIndex));
        code->findChild<QComboBox*>(QStringLiteral("codeLanguage"))->setCurrentText(QStringLiteral("Python"));
        code->findChild<QPlainTextEdit*>(QStringLiteral("codeTask"))->setPlainText(s.codeTask);
        QSignalSpy highlighted(code, &CodePane::resultHighlighted);
        code->submit();
        ok &= QTest::qWaitFor([&] { return !code->isBusy(); }, 20000);
        highlighted.wait(5000);
        ok &= save(&window, outDir + QStringLiteral("/code_%1.png").arg(suffix));
    }
    return ok ? 0 : 1;
}
