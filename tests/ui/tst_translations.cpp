// Chinese must be complete and switchable without a restart: the .ts has a finished
// translation for every string the sources contain (checked against a fresh lupdate run), the
// placeholders and accelerators survive translation, and switching the language retranslates
// every visible text of the window.

#include "Appearance.h"
#include "ConversationStore.h"
#include "FakeChatService.h"
#include "MainWindow.h"
#include "TestEnvironment.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTabWidget>
#include <QTest>
#include <QXmlStreamReader>

namespace {

struct Entry {
    QString context;
    QString source;
    QString translation;
    QString type;
};

QList<Entry> readTs(const QString& path)
{
    QList<Entry> entries;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return entries;
    QXmlStreamReader xml(&file);
    QString context;
    Entry current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (xml.name() == QLatin1String("message")) {
            current = {context, {}, {}, {}};
        } else if (xml.name() == QLatin1String("source")) {
            current.source = xml.readElementText();
        } else if (xml.name() == QLatin1String("translation")) {
            current.type = xml.attributes().value(QLatin1String("type")).toString();
            current.translation = xml.readElementText();
            entries.append(current);
        }
    }
    return entries;
}

QSet<QString> placeholders(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("%\\d+"));
    QSet<QString> out;
    auto it = re.globalMatch(text);
    while (it.hasNext())
        out.insert(it.next().captured());
    return out;
}

// "&File" has one; "Chat && Write" and "Chat & Write" (a tooltip) do not.
bool hasAccelerator(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("&[^&\\s]"));
    return QString(text).remove(QStringLiteral("&&")).contains(re);
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        isolateTestEnvironment(m_settingsDir);
        m_entries = readTs(QStringLiteral(INKSTONE_TS_FILE));
        QVERIFY2(m_entries.size() > 100, "the Chinese .ts file is missing or empty");
    }

    void everyEntryIsFinished()
    {
        QStringList problems;
        for (const Entry& e : std::as_const(m_entries)) {
            if (!e.type.isEmpty())
                problems << QStringLiteral("%1: \"%2\" is %3").arg(e.context, e.source, e.type);
            else if (e.translation.trimmed().isEmpty())
                problems << QStringLiteral("%1: \"%2\" has no translation").arg(e.context, e.source);
            else if (placeholders(e.source) != placeholders(e.translation))
                problems << QStringLiteral("%1: \"%2\" lost a placeholder").arg(e.context, e.source);
            else if (hasAccelerator(e.source) != hasAccelerator(e.translation))
                problems << QStringLiteral("%1: \"%2\" lost its accelerator").arg(e.context, e.source);
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    void everySourceStringIsInTheTsFile()
    {
        // A fresh lupdate over the sources: a tr() string added without updating the .ts fails.
        QTemporaryDir dir;
        const QString fresh = dir.filePath(QStringLiteral("fresh_zh_CN.ts"));
        QProcess lupdate;
        lupdate.start(QStringLiteral(INKSTONE_LUPDATE),
                      {QStringLiteral("-silent"), QStringLiteral("-locations"), QStringLiteral("none"),
                       QStringLiteral(INKSTONE_UI_DIR), QStringLiteral(INKSTONE_GUI_DIR), QStringLiteral("-ts"), fresh});
        QVERIFY(lupdate.waitForFinished(60000));
        QCOMPARE(lupdate.exitCode(), 0);
        QSet<QString> known;
        for (const Entry& e : std::as_const(m_entries))
            known.insert(e.context + QLatin1Char('|') + e.source);
        QStringList missing;
        const auto current = readTs(fresh);
        QVERIFY(current.size() > 100);
        for (const Entry& e : current)
            if (!known.contains(e.context + QLatin1Char('|') + e.source))
                missing << e.context + QStringLiteral(": ") + e.source;
        QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("not in inkstone_zh_CN.ts (run `ninja inkstone_lupdate`):\n")
                                               + missing.join(QLatin1Char('\n'))));
    }

    void switchingLanguageRetranslatesTheWindow()
    {
        QTemporaryDir data;
        ConversationStore store;
        QVERIFY(store.open(data.filePath(QStringLiteral("t.sqlite"))));
        FakeChatService service;
        Appearance appearance;
        QVERIFY(appearance.setLanguage(QStringLiteral("en")));
        MainWindow window(&service, &store, &appearance);
        window.show();
        window.showPane(MainWindow::ChatWritePaneIndex);
        auto* tabs = window.findChild<QTabWidget*>(QStringLiteral("paneTabs"));
        QCOMPARE(tabs->tabText(0), QStringLiteral("Chat && Write"));

        QVERIFY(appearance.setLanguage(QStringLiteral("zh_CN")));
        // Qt posts LanguageChange to the top-level windows, so it arrives on the next loop turn.
        QTRY_COMPARE(tabs->tabText(0), QStringLiteral("聊天与写作"));
        QCOMPARE(tabs->tabText(1), QStringLiteral("翻译"));
        QCOMPARE(window.findChild<QAction*>(QStringLiteral("model_open"))->text(), QStringLiteral("打开 GGUF 模型(&O)…"));

        // No text anywhere in the window may still be an English source that has a translation.
        QHash<QString, QString> translated;
        for (const Entry& e : std::as_const(m_entries))
            if (e.translation != e.source)
                translated.insert(e.source, e.translation);
        QStringList english;
        auto check = [&](const QString& text, const QObject* where) {
            if (!text.isEmpty() && translated.contains(text))
                english << QStringLiteral("%1 (%2): %3").arg(where->objectName(), QLatin1String(where->metaObject()->className()), text);
        };
        for (QWidget* w : window.findChildren<QWidget*>()) {
            if (auto* label = qobject_cast<QLabel*>(w))
                check(label->text(), w);
            if (auto* button = qobject_cast<QAbstractButton*>(w))
                check(button->text(), w);
            if (auto* box = qobject_cast<QGroupBox*>(w))
                check(box->title(), w);
            if (auto* edit = qobject_cast<QLineEdit*>(w))
                check(edit->placeholderText(), w);
            if (auto* edit = qobject_cast<QPlainTextEdit*>(w))
                check(edit->placeholderText(), w);
            if (auto* combo = qobject_cast<QComboBox*>(w))
                for (int i = 0; i < combo->count(); ++i)
                    check(combo->itemText(i), w);
            check(w->toolTip(), w);
            check(w->accessibleName(), w);
        }
        for (QAction* a : window.findChildren<QAction*>())
            check(a->text(), a);
        QVERIFY2(english.isEmpty(), qPrintable(english.join(QLatin1Char('\n'))));

        QVERIFY(appearance.setLanguage(QStringLiteral("en")));
        QTRY_COMPARE(tabs->tabText(0), QStringLiteral("Chat && Write"));
    }

private:
    QTemporaryDir m_settingsDir;
    QList<Entry> m_entries;
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
