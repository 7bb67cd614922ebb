// Takes the screenshots in docs/screenshots/: every pane in English and Chinese, driven through
// the real widgets. Built on request only (`ninja inkstone_screenshots`), never run by ctest.
//
//   QT_QPA_PLATFORM=offscreen build/tests/ui/inkstone_screenshots docs/screenshots
//
// The replies are scripted through FakeChatService: the only models a build machine has are
// the tiny random-weight test models, whose output is noise, so the screenshots show what the
// panes look like with a real model's kind of text and say so in the model bar.

#include "Appearance.h"
#include "ChatPane.h"
#include "ChatWritePane.h"
#include "CodePane.h"
#include "ConversationStore.h"
#include "FakeChatService.h"
#include "MainWindow.h"
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

struct Script {
    QString question;
    QString answer;
    QString document;
    QString selection;
    QString rewrite;
    QString source;
    QString translation;
    QString codeTask;
    QString codeReply;
};

Script english()
{
    return {
        QStringLiteral("How do I keep my notes in sync between two laptops without a cloud service?"),
        QStringLiteral("You can sync notes **directly between the two machines**. Three good options:\n\n"
                       "| Tool | How it works | Best for |\n|---|---|---|\n"
                       "| Syncthing | peer-to-peer, continuous | folders of Markdown files |\n"
                       "| Git | commit and pull over SSH | notes with history |\n"
                       "| rsync | one-way copy on demand | occasional backups |\n\n"
                       "For most people **Syncthing** is the easiest:\n\n"
                       "1. Install it on both laptops.\n2. Share your notes folder from one and accept it on the other.\n"
                       "3. Leave it running — changes appear on the other machine within seconds.\n\n"
                       "```bash\nsudo apt install syncthing\nsystemctl --user enable --now syncthing\n```\n"),
        QStringLiteral("# Trip report: Hangzhou\n\nWe arrived on a grey Tuesday morning. The West Lake was very very "
                       "quiet and there was not many people around, which we liked alot.\n\n"
                       "## Day two\n\nWe rented bicycles and rode along the Su Causeway.\n"),
        QStringLiteral("The West Lake was very very quiet and there was not many people around, which we liked alot."),
        QStringLiteral("The West Lake was wonderfully quiet, with hardly anyone around — just as we had hoped."),
        QStringLiteral("Inkstone runs language models entirely on your own computer.\nNothing you type leaves it."),
        QStringLiteral("Inkstone 完全在你自己的电脑上运行语言模型。\n你输入的内容不会离开这台电脑。"),
        QStringLiteral("Parse a CSV file of expenses and print the total per category, largest first."),
        QStringLiteral("```python\nimport csv\nfrom collections import defaultdict\n\n\n"
                       "def totals_by_category(path: str) -> dict[str, float]:\n"
                       "    totals: dict[str, float] = defaultdict(float)\n"
                       "    with open(path, newline=\"\", encoding=\"utf-8\") as f:\n"
                       "        for row in csv.DictReader(f):\n"
                       "            totals[row[\"category\"]] += float(row[\"amount\"])\n"
                       "    return dict(totals)\n\n\n"
                       "if __name__ == \"__main__\":\n"
                       "    import sys\n"
                       "    result = totals_by_category(sys.argv[1])\n"
                       "    for category, total in sorted(result.items(), key=lambda kv: kv[1], reverse=True):\n"
                       "        print(f\"{category:<20} {total:>10.2f}\")  # largest first\n```\n"),
    };
}

Script chinese()
{
    return {
        QStringLiteral("不用云服务，怎样让两台笔记本上的笔记保持同步？"),
        QStringLiteral("可以让两台电脑**直接互相同步**。常见的三种做法：\n\n"
                       "| 工具 | 原理 | 适合 |\n|---|---|---|\n"
                       "| Syncthing | 点对点，持续同步 | Markdown 笔记文件夹 |\n"
                       "| Git | 通过 SSH 提交和拉取 | 需要历史记录的笔记 |\n"
                       "| rsync | 按需单向复制 | 偶尔备份 |\n\n"
                       "对大多数人来说，**Syncthing** 最省心：\n\n"
                       "1. 在两台笔记本上都安装它。\n2. 在一台上共享笔记文件夹，在另一台上接受。\n"
                       "3. 保持运行——改动几秒钟内就会出现在另一台电脑上。\n\n"
                       "```bash\nsudo apt install syncthing\nsystemctl --user enable --now syncthing\n```\n"),
        QStringLiteral("# 杭州游记\n\n我们在一个阴沉的周二早上到达。西湖非常非常的安静，周围人也不是很多的样子，"
                       "我们都很喜欢这一点。\n\n## 第二天\n\n我们租了自行车，沿着苏堤骑行。\n"),
        QStringLiteral("西湖非常非常的安静，周围人也不是很多的样子，我们都很喜欢这一点。"),
        QStringLiteral("西湖格外宁静，游人寥寥，正合我们的心意。"),
        QStringLiteral("Inkstone runs language models entirely on your own computer.\nNothing you type leaves it."),
        QStringLiteral("Inkstone 完全在你自己的电脑上运行语言模型。\n你输入的内容不会离开这台电脑。"),
        QStringLiteral("读取一个记账 CSV 文件，按类别汇总金额，从大到小输出。"),
        english().codeReply,
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
    QDir().mkpath(outDir);
    QApplication::setFont(QFont(QStringLiteral("DejaVu Sans"), 10));
    bool ok = true;
    for (const QString& language : {QStringLiteral("en"), QStringLiteral("zh_CN")}) {
        const bool zh = language == QLatin1String("zh_CN");
        const QString suffix = zh ? QStringLiteral("zh_CN") : QStringLiteral("en");
        const Script s = zh ? chinese() : english();
        QSettings().clear();
        Appearance appearance;
        appearance.setLanguage(language);
        QCoreApplication::processEvents();
        ConversationStore store;
        store.open(QStringLiteral(":memory:"));
        FakeChatService service;
        service.setWordsPerBatch(50);

        {   // First run
            MainWindow window(&service, &store, &appearance);
            window.resize(1180, 760);
            window.show();
            ok &= save(&window, outDir + QStringLiteral("/welcome_%1.png").arg(suffix));
        }

        MainWindow window(&service, &store, &appearance);
        window.resize(1180, 760);
        window.show();
        service.setModelName(QStringLiteral("scripted-demo"));
        window.loadModel(QStringLiteral("/models/scripted-demo.gguf"));
        auto* chatWrite = static_cast<ChatWritePane*>(window.pane(MainWindow::ChatWritePaneIndex));

        // Chat: two earlier conversations in the sidebar, then the question.
        service.setReplies({QStringLiteral("…"), QStringLiteral("…"), s.answer, s.rewrite, s.translation, s.codeReply});
        for (const QString& earlier : zh ? QStringList{QStringLiteral("周末做什么菜"), QStringLiteral("Rust 生命周期入门")}
                                         : QStringList{QStringLiteral("Weekend dinner ideas"), QStringLiteral("Rust lifetimes, gently")}) {
            chatWrite->chat()->newConversation();
            chatWrite->chat()->findChild<QPlainTextEdit*>(QStringLiteral("chatInput"))->setPlainText(earlier);
            chatWrite->chat()->submit();
            ok &= QTest::qWaitFor([&] { return !chatWrite->chat()->isBusy(); }, 10000);
        }
        chatWrite->chat()->newConversation();
        chatWrite->chat()->findChild<QPlainTextEdit*>(QStringLiteral("chatInput"))->setPlainText(s.question);
        chatWrite->chat()->submit();
        ok &= QTest::qWaitFor([&] { return !chatWrite->chat()->isBusy(); }, 10000);
        ok &= save(&window, outDir + QStringLiteral("/chat_%1.png").arg(suffix));

        // Write: fix a clumsy sentence; the suggestion shows as a diff.
        chatWrite->showWrite(true);
        WritePane* write = chatWrite->write();
        write->editor()->setPlainText(s.document);
        QTextCursor cursor = write->editor()->document()->find(s.selection);
        write->editor()->setTextCursor(cursor);
        write->apply(TaskPrompts::WriteAction::Rewrite);
        ok &= QTest::qWaitFor([&] { return !write->isBusy(); }, 10000);
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
        ok &= QTest::qWaitFor([&] { return !translate->isBusy(); }, 10000);
        ok &= save(&window, outDir + QStringLiteral("/translate_%1.png").arg(suffix));

        // Code: generate, then wait for the highlighter.
        window.showPane(MainWindow::CodePaneIndex);
        auto* code = static_cast<CodePane*>(window.pane(MainWindow::CodePaneIndex));
        code->findChild<QComboBox*>(QStringLiteral("codeLanguage"))->setCurrentText(QStringLiteral("Python"));
        code->findChild<QPlainTextEdit*>(QStringLiteral("codeTask"))->setPlainText(s.codeTask);
        QSignalSpy highlighted(code, &CodePane::resultHighlighted);
        code->submit();
        ok &= QTest::qWaitFor([&] { return !code->isBusy(); }, 10000);
        highlighted.wait(5000);
        ok &= save(&window, outDir + QStringLiteral("/code_%1.png").arg(suffix));
    }
    return ok ? 0 : 1;
}
