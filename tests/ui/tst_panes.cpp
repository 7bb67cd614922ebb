// Translate, Code and Write driven through their widgets over the fake service.

#include "BuiltinHighlighter.h"
#include "ChatTemplateDialog.h"
#include "ChatTemplateSettings.h"
#include "CodeHighlighter.h"
#include "CodePane.h"
#include "ConversationStore.h"
#include "FakeChatService.h"
#include "TestEnvironment.h"
#include "TranslatePane.h"
#include "WordDiff.h"
#include "WritePane.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>

class TestPanes : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateTestEnvironment(m_settingsDir); }

    void init()
    {
        m_dataDir.reset(new QTemporaryDir);
        m_store.reset(new ConversationStore);
        QVERIFY(m_store->open(m_dataDir->filePath(QStringLiteral("panes.sqlite"))));
        m_service.reset(new FakeChatService);
    }

    void translateUsesTheGlossaryAndKeepsHistory()
    {
        TranslatePane pane(m_service.get(), m_store.get());
        pane.show();
        auto* input = pane.findChild<QPlainTextEdit*>(QStringLiteral("translateInput"));
        auto* output = pane.findChild<QPlainTextEdit*>(QStringLiteral("translateOutput"));
        auto* target = pane.findChild<QComboBox*>(QStringLiteral("translateTarget"));
        target->setCurrentIndex(target->findData(QStringLiteral("zh-Hans")));
        pane.addGlossaryEntry(QStringLiteral("Inkstone"), QString());
        pane.addGlossaryEntry(QStringLiteral("model"), QStringLiteral("模型"));
        input->setPlainText(QStringLiteral("Inkstone runs the model locally.\nSecond line."));
        // Auto-detect shows its guess.
        QVERIFY(pane.findChild<QLabel*>(QStringLiteral("translateDetected"))->text().contains(QLatin1String("English")));
        m_service->setReplies({QStringLiteral("Inkstone 在本地运行模型。\n第二行。")});
        QTest::mouseClick(pane.findChild<QPushButton*>(QStringLiteral("translateRun")), Qt::LeftButton);
        QTRY_VERIFY(!pane.isBusy());
        QCOMPARE(output->toPlainText(), QStringLiteral("Inkstone 在本地运行模型。\n第二行。"));
        // The prompt comes from the translate.translate preset (resources/prompts/translate.json).
        QCOMPARE(m_service->lastRequest().messages.first().role, ChatMessage::Role::System);
        const QString prompt = m_service->lastRequest().messages.last().content;
        QVERIFY(prompt.contains(QLatin1String("Chinese (Simplified)")));
        QVERIFY(prompt.contains(QLatin1String("untranslated: Inkstone")));
        QVERIFY(prompt.contains(QStringLiteral("- model → 模型")));
        QVERIFY(prompt.contains(QLatin1String("from English")));
        QVERIFY(prompt.contains(input->toPlainText())); // line breaks kept
        // History: stored and listed.
        QCOMPARE(m_store->translations().size(), 1);
        QCOMPARE(pane.findChild<QListWidget*>(QStringLiteral("translateHistory"))->count(), 1);
    }

    void taskPromptsComeFromTheEmbeddedPresets()
    {
        const QStringList ids = TaskPrompts::presetIds();
        for (const char* id : {"write.continue", "write.rewrite", "write.fix", "write.summarize", "translate.translate",
                               "translate.back", "code.generate", "code.explain", "code.fix", "code.tests", "code.convert"})
            QVERIFY2(ids.contains(QLatin1String(id)), id);
    }

    void translateDropsAChattyPreamble()
    {
        TranslatePane pane(m_service.get(), m_store.get());
        auto* input = pane.findChild<QPlainTextEdit*>(QStringLiteral("translateInput"));
        input->setPlainText(QStringLiteral("Good morning."));
        m_service->setReplies({QStringLiteral("Here is the translation:\n\n早上好。")});
        QTest::mouseClick(pane.findChild<QPushButton*>(QStringLiteral("translateRun")), Qt::LeftButton);
        QTRY_VERIFY(!pane.isBusy());
        QCOMPARE(pane.findChild<QPlainTextEdit*>(QStringLiteral("translateOutput"))->toPlainText(), QStringLiteral("早上好。"));
    }

    void chatTemplateDialogKeepsAChoicePerModelFile()
    {
        const QString path = m_dataDir->filePath(QStringLiteral("model-a.gguf"));
        m_service->loadModel(path);
        const QString custom = QStringLiteral("{% for m in messages %}{{ m.content }}\n{% endfor %}");
        {
            ChatTemplateDialog dialog(m_service.get());
            auto* editor = dialog.findChild<QPlainTextEdit*>(QStringLiteral("chatTemplateEditor"));
            QVERIFY(editor->toPlainText().contains(QLatin1String("Assistant"))); // no own template: the built-in one
            editor->setPlainText(custom);
            dialog.accept();
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
            QVERIFY(m_service->templateChoice().mode == ChatTemplateOverride::Mode::Custom);
            QCOMPARE(ChatTemplateSettings::load(path).source, custom);
            QVERIFY(ChatTemplateSettings::load(m_dataDir->filePath(QStringLiteral("model-b.gguf"))).mode
                    == ChatTemplateOverride::Mode::Model);
        }
        {
            ChatTemplateDialog dialog(m_service.get());
            auto* editor = dialog.findChild<QPlainTextEdit*>(QStringLiteral("chatTemplateEditor"));
            QCOMPARE(editor->toPlainText(), custom);
            editor->setPlainText(QStringLiteral("{% if messages %}never closed"));
            dialog.accept(); // refused: it does not parse
            QVERIFY(!dialog.findChild<QLabel*>(QStringLiteral("chatTemplateError"))->isHidden());
            QCOMPARE(ChatTemplateSettings::load(path).source, custom);
            QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("chatTemplateUseBuiltin")), Qt::LeftButton);
            dialog.accept();
            QVERIFY(ChatTemplateSettings::load(path).mode == ChatTemplateOverride::Mode::Builtin);
            QVERIFY(m_service->templateChoice().mode == ChatTemplateOverride::Mode::Builtin);
        }
        {
            ChatTemplateDialog dialog(m_service.get());
            QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("chatTemplateUseModel")), Qt::LeftButton);
            dialog.accept();
            QVERIFY(ChatTemplateSettings::load(path).mode == ChatTemplateOverride::Mode::Model);
        }
    }

    void translateSwapExchangesLanguagesAndTexts()
    {
        TranslatePane pane(m_service.get(), m_store.get());
        auto* source = pane.findChild<QComboBox*>(QStringLiteral("translateSource"));
        auto* target = pane.findChild<QComboBox*>(QStringLiteral("translateTarget"));
        auto* input = pane.findChild<QPlainTextEdit*>(QStringLiteral("translateInput"));
        auto* output = pane.findChild<QPlainTextEdit*>(QStringLiteral("translateOutput"));
        source->setCurrentIndex(source->findData(QStringLiteral("fr")));
        target->setCurrentIndex(target->findData(QStringLiteral("de")));
        input->setPlainText(QStringLiteral("bonjour"));
        output->setPlainText(QStringLiteral("hallo"));
        pane.swapLanguages();
        QCOMPARE(source->currentData().toString(), QStringLiteral("de"));
        QCOMPARE(target->currentData().toString(), QStringLiteral("fr"));
        QCOMPARE(input->toPlainText(), QStringLiteral("hallo"));
        QCOMPARE(output->toPlainText(), QStringLiteral("bonjour"));
    }

    void codeGenerateHighlightAndSave_data()
    {
        QTest::addColumn<QByteArray>("highlighter");
        QTest::newRow("built-in") << QByteArray("builtin");
        QTest::newRow("kate-syntax-highlighter") << QByteArray("kate");
    }

    void codeGenerateHighlightAndSave()
    {
        QFETCH(QByteArray, highlighter);
        qputenv("INKSTONE_HIGHLIGHTER", highlighter);
        CodePane pane(m_service.get());
        qunsetenv("INKSTONE_HIGHLIGHTER");
        if (highlighter == "kate" && pane.highlighter()->name() != QLatin1String("kate-syntax-highlighter"))
            QSKIP("kate-syntax-highlighter is not installed (package libkf5syntaxhighlighting-tools)");
        pane.show();
        auto* language = pane.findChild<QComboBox*>(QStringLiteral("codeLanguage"));
        language->setCurrentIndex(language->findText(QStringLiteral("Python")));
        pane.findChild<QPlainTextEdit*>(QStringLiteral("codeTask"))->setPlainText(QStringLiteral("add two numbers"));
        m_service->setReplies({QStringLiteral("Here you go:\n\n```python\ndef add(a, b):\n    return a + b\n```\n")});
        QSignalSpy highlighted(&pane, &CodePane::resultHighlighted);
        pane.submit();
        QTRY_VERIFY(!pane.isBusy());
        QCOMPARE(pane.resultCode(), QStringLiteral("def add(a, b):\n    return a + b"));
        QVERIFY(highlighted.wait(5000) || highlighted.count() == 1);
        auto* result = pane.findChild<QTextBrowser*>(QStringLiteral("codeResult"));
        QCOMPARE(result->toPlainText().trimmed(), pane.resultCode());
        // Coloured: the keyword "def" carries a foreground colour that plain text does not.
        QTextCursor cursor = result->document()->find(QStringLiteral("def"));
        QVERIFY(!cursor.isNull());
        QVERIFY(cursor.charFormat().foreground().style() != Qt::NoBrush);
        QVERIFY(m_service->lastRequest().messages.last().content.contains(QLatin1String("Python")));
        QCOMPARE(pane.suggestedExtension(), QStringLiteral("py"));
        const QString path = m_dataDir->filePath(QStringLiteral("add.py"));
        QVERIFY(pane.saveTo(path));
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(saved.readAll()), pane.resultCode());
    }

    void codeConvertSuggestsTheTargetExtension()
    {
        CodePane pane(m_service.get());
        pane.findChild<QComboBox*>(QStringLiteral("codeLanguage"))->setCurrentText(QStringLiteral("Python"));
        pane.findChild<QComboBox*>(QStringLiteral("codeConvertTo"))->setCurrentText(QStringLiteral("Go"));
        pane.findChild<QPlainTextEdit*>(QStringLiteral("codeExisting"))->setPlainText(QStringLiteral("print(1)"));
        m_service->setReplies({QStringLiteral("```go\nfmt.Println(1)\n```")});
        pane.run(CodePane::Action::Convert);
        QTRY_VERIFY(!pane.isBusy());
        QCOMPARE(pane.suggestedExtension(), QStringLiteral("go"));
        QVERIFY(m_service->lastRequest().messages.last().content.contains(QLatin1String("Convert this Python code to Go")));
    }

    void writeRewriteAcceptAndUndo()
    {
        WritePane pane(m_service.get(), m_store.get());
        pane.show();
        QPlainTextEdit* editor = pane.editor();
        editor->setPlainText(QStringLiteral("Intro line.\nThe cat sat on teh mat.\nLast line."));
        QTextCursor cursor = editor->document()->find(QStringLiteral("The cat sat on teh mat."));
        QVERIFY(!cursor.isNull());
        editor->setTextCursor(cursor);
        m_service->setReplies({QStringLiteral("The cat sat on the mat.")});
        pane.apply(TaskPrompts::WriteAction::FixGrammar);
        QTRY_VERIFY(!pane.isBusy());
        QVERIFY(pane.hasSuggestion());
        // The diff shows the removed and the added word.
        const QString diff = pane.findChild<QTextBrowser*>(QStringLiteral("writeDiff"))->toHtml();
        QVERIFY(diff.contains(QLatin1String("teh")));
        QVERIFY(m_service->lastRequest().messages.last().content.contains(QLatin1String("teh mat")));
        QTest::mouseClick(pane.findChild<QPushButton*>(QStringLiteral("writeAccept")), Qt::LeftButton);
        QCOMPARE(editor->toPlainText(), QStringLiteral("Intro line.\nThe cat sat on the mat.\nLast line."));
        QVERIFY(!pane.hasSuggestion());
        editor->undo(); // one step takes the whole accepted edit back
        QCOMPARE(editor->toPlainText(), QStringLiteral("Intro line.\nThe cat sat on teh mat.\nLast line."));
    }

    void writeRejectLeavesTheDocumentAlone()
    {
        WritePane pane(m_service.get(), m_store.get());
        pane.show();
        pane.editor()->setPlainText(QStringLiteral("Keep me."));
        pane.editor()->selectAll();
        m_service->setReplies({QStringLiteral("Changed.")});
        pane.apply(TaskPrompts::WriteAction::Rewrite);
        QTRY_VERIFY(!pane.isBusy());
        pane.rejectSuggestion();
        QCOMPARE(pane.editor()->toPlainText(), QStringLiteral("Keep me."));
    }

    void writeExportsOdtAndHtml()
    {
        WritePane pane(m_service.get(), m_store.get());
        pane.editor()->setPlainText(QStringLiteral("# Title\n\nSome **bold** text."));
        const QString odt = m_dataDir->filePath(QStringLiteral("doc.odt"));
        const QString html = m_dataDir->filePath(QStringLiteral("doc.html"));
        const QString md = m_dataDir->filePath(QStringLiteral("doc.md"));
        QVERIFY(pane.exportTo(odt));
        QVERIFY(pane.exportTo(html));
        QVERIFY(pane.exportTo(md));
        QFile odtFile(odt);
        QVERIFY(odtFile.open(QIODevice::ReadOnly));
        QCOMPARE(odtFile.read(2), QByteArray("PK")); // a zip container
        QFile htmlFile(html);
        QVERIFY(htmlFile.open(QIODevice::ReadOnly));
        QVERIFY(htmlFile.readAll().contains("Title"));
        QFile mdFile(md);
        QVERIFY(mdFile.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(mdFile.readAll()), pane.editor()->toPlainText());
    }

    void writeRemembersSavedDocuments()
    {
        WritePane pane(m_service.get(), m_store.get());
        pane.editor()->setPlainText(QStringLiteral("draft"));
        const QString path = m_dataDir->filePath(QStringLiteral("notes.md"));
        QVERIFY(pane.saveTo(path));
        QCOMPARE(pane.documentPath(), path);
        QCOMPARE(m_store->recentDocuments().first().first, path);
    }

    void wordDiffMarksOnlyTheChange()
    {
        const QString html = WordDiff::html(QStringLiteral("a quick fox"), QStringLiteral("a slow fox"));
        QVERIFY(html.contains(QLatin1String("line-through\">quick</span>")));
        QVERIFY(html.contains(QLatin1String(">slow</span>")));
        QVERIFY(html.startsWith(QLatin1String("a ")));
    }

    void builtinHighlighterEscapesHtml()
    {
        const QString html = BuiltinHighlighter::toHtml(QStringLiteral("if (a < b) return \"<x>\"; // c"), QStringLiteral("C++"));
        QVERIFY(html.contains(QLatin1String("&lt; b")));
        QVERIFY(html.contains(QLatin1String("&quot;&lt;x&gt;&quot;")));
        QVERIFY(!html.contains(QLatin1String("<x>")));
    }

private:
    QTemporaryDir m_settingsDir;
    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<ConversationStore> m_store;
    std::unique_ptr<FakeChatService> m_service;
};

QTEST_MAIN(TestPanes)
#include "tst_panes.moc"
