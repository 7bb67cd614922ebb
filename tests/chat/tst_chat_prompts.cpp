// The task presets of resources/prompts: they load, render through every public fixture chat
// template, keep field values as data, and the post-processing pulls code and plain text out
// of chatty answers.

#include "SharedFixtures.h"

#include "chat/ChatTemplate.h"
#include "chat/Json.h"
#include "chat/PostProcess.h"
#include "chat/TaskPrompt.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace engine::chat;

namespace {

std::string readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray b = f.readAll();
    return std::string(b.constData(), static_cast<size_t>(b.size()));
}

PresetLibrary loadBuiltins()
{
    PresetLibrary lib;
    for (const char* name : {"write.json", "translate.json", "code.json"}) {
        const QString path = QDir(QStringLiteral(INKSTONE_PROMPTS_DIR)).filePath(QLatin1String(name));
        auto r = lib.addJson(readAll(path), name);
        if (!r.ok())
            qWarning("%s", r.error().detail.c_str());
    }
    return lib;
}

const std::string kSelection = "The quick brown fox jump over the lazy dog {{ 7 * 7 }}.";
const std::string kCode = "def add(a, b):\n    return a - b  # {% raw %}";
const std::string kText = "# Title\n\nHello `print()` world from Inkstone.\n";

// Plausible pane inputs for a preset; each carries template syntax to prove it stays data.
TaskFields sampleFields(const TaskPreset& p)
{
    TaskFields f;
    auto put = [&](const char* k, Value v) { f.emplace_back(Value::string(k), std::move(v)); };
    if (p.pane == "write") {
        put("selection", Value::string(kSelection));
        put("context", Value::string("First sentence. " + kSelection + " Last sentence."));
        put("tone", Value::string("formal"));
    } else if (p.pane == "translate") {
        put("text", Value::string(kText));
        put("source_language", Value::string("English"));
        put("target_language", Value::string("Chinese"));
        put("glossary", Value::list({Value::dict({{Value::string("term"), Value::string("world")},
                                                  {Value::string("translation"), Value::string("世界")}})}));
        put("do_not_translate", Value::list({Value::string("Inkstone"), Value::string("print()")}));
    } else {
        put("language", Value::string("Python"));
        put("target_language", Value::string("Rust"));
        put("description", Value::string("add two numbers"));
        put("code", Value::string(kCode));
        put("framework", Value::string("pytest"));
    }
    return f;
}

const std::string& mainText(const TaskPreset& p)
{
    return p.pane == "write" ? kSelection : p.pane == "translate" ? kText : kCode;
}

} // namespace

class TestChatPrompts : public QObject {
    Q_OBJECT

private slots:
    void builtinsLoad()
    {
        const PresetLibrary lib = loadBuiltins();
        const char* expected[] = {"write.continue", "write.rewrite", "write.shorten", "write.expand", "write.fix",
                                  "write.tone_formal", "write.tone_friendly", "write.tone_concise", "write.summarize",
                                  "write.title", "translate.translate", "translate.back", "code.generate",
                                  "code.explain", "code.fix", "code.tests", "code.convert"};
        QCOMPARE(lib.presets().size(), std::size(expected));
        for (const char* id : expected) {
            const TaskPreset* p = lib.find(id);
            QVERIFY2(p, id);
            QVERIFY(std::string(id).rfind(p->pane + ".", 0) == 0);
            QVERIFY(!p->label.empty());
        }
        QCOMPARE(lib.find("code.explain")->output, TaskOutput::CodeExplanation);
        QCOMPARE(lib.find("code.fix")->output, TaskOutput::Code);
        QCOMPARE(lib.find("translate.translate")->output, TaskOutput::Translation);
    }

    void messagesKeepFieldsAsData()
    {
        const PresetLibrary lib = loadBuiltins();
        for (const TaskPreset& p : lib.presets()) {
            auto messages = buildTaskMessages(p, sampleFields(p));
            QVERIFY2(messages.ok(), messages.ok() ? "" : messages.error().detail.c_str());
            QCOMPARE(messages->size(), size_t(2));
            QCOMPARE((*messages)[0].role, std::string("system"));
            QCOMPARE((*messages)[1].role, std::string("user"));
            QVERIFY2((*messages)[1].content.find(mainText(p)) != std::string::npos, p.id.c_str());
        }
    }

    void translationOptionsReachThePrompt()
    {
        const PresetLibrary lib = loadBuiltins();
        const TaskPreset& p = *lib.find("translate.translate");
        auto m = buildTaskMessages(p, sampleFields(p));
        QVERIFY(m.ok());
        const std::string& user = (*m)[1].content;
        QVERIFY(user.find("from English into Chinese") != std::string::npos);
        QVERIFY(user.find("- world → 世界") != std::string::npos);
        QVERIFY(user.find("Inkstone, print()") != std::string::npos);
        TaskFields autoDetect = taskFields({{"text", "Bonjour"}, {"source_language", "auto"}, {"target_language", "German"}});
        m = buildTaskMessages(p, autoDetect);
        QVERIFY(m.ok());
        QVERIFY((*m)[1].content.find("Translate the text below into German.") != std::string::npos);
        QVERIFY((*m)[1].content.find("Use exactly these translations") == std::string::npos);
    }

    void everyPresetRendersForEveryFixtureTemplate()
    {
        INKSTONE_REQUIRE_FIXTURES("chat-templates");
        const PresetLibrary lib = loadBuiltins();
        QVERIFY(!lib.presets().empty());
        const QDir dir(testing::fixturesDir(QStringLiteral("chat-templates")));
        int templates = 0, folded = 0, compat = 0;
        for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
            auto fixture = parseJson(readAll(dir.filePath(name)));
            QVERIFY(fixture.ok());
            auto tmpl = ChatTemplate::fromSource(fixture->find(std::string_view("template"))->asString());
            QVERIFY(tmpl.ok());
            ChatRequest base;
            base.now = DateTime{2025, 2, 5, 12, 0, 0};
            const Value* tokens = fixture->find(std::string_view("special_tokens"));
            if (const Value* bos = tokens->find(std::string_view("bos_token")); bos && bos->isString())
                base.bosToken = bos->asString();
            if (const Value* eos = tokens->find(std::string_view("eos_token")); eos && eos->isString())
                base.eosToken = eos->asString();
            ++templates;
            bool anyFolded = false, anyCompat = false;
            for (const TaskPreset& p : lib.presets()) {
                auto r = renderTaskPrompt(*tmpl, p, sampleFields(p), base);
                QVERIFY2(r.ok(), qPrintable(name + QStringLiteral(" / ") + QString::fromStdString(p.id) +
                                            QStringLiteral(": ") +
                                            QString::fromStdString(r.ok() ? std::string() : r.error().detail)));
                QVERIFY2(r->text.find(mainText(p)) != std::string::npos, qPrintable(name));
                QVERIFY2(r->text.find(r->messages.front().content.substr(0, 40)) != std::string::npos, qPrintable(name));
                anyFolded = anyFolded || r->systemFolded;
                anyCompat = anyCompat || r->compatVariables;
            }
            folded += anyFolded;
            compat += anyCompat;
            if (name.startsWith(QLatin1String("google-gemma-2")))
                QVERIFY2(anyFolded, "Gemma 2 rejects a system turn: the system text must be folded");
        }
        qInfo("%d templates x %d presets rendered; system folded into the user turn for %d templates, "
              "compatibility variables needed by %d",
              templates, int(lib.presets().size()), folded, compat);
    }

    void libraryOverridesAndErrors()
    {
        PresetLibrary lib = loadBuiltins();
        const size_t before = lib.presets().size();
        auto r = lib.addJson("{\"presets\": [{\"id\": \"write.title\", \"pane\": \"write\", \"user\": \"Title: {{ selection }}\"}]}",
                             "user.json");
        QVERIFY(r.ok());
        QCOMPARE(lib.presets().size(), before);
        auto m = buildTaskMessages(*lib.find("write.title"), taskFields({{"selection", "x"}}));
        QVERIFY(m.ok());
        QCOMPARE(m->size(), size_t(1)); // no system text: one user turn
        QCOMPARE((*m)[0].content, std::string("Title: x"));

        r = lib.addJson("{\"presets\": [{\"id\": \"bad\", \"user\": \"{% if %}\"}]}", "broken.json");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, engine::ErrorCode::Template);
        QVERIFY(r.error().detail.find("broken.json") != std::string::npos);
        r = lib.addJson("[1, 2", "truncated.json");
        QVERIFY(!r.ok());
        QVERIFY(r.error().detail.find("truncated.json") != std::string::npos);
        r = lib.addJson("{\"presets\": [{\"id\": \"x\", \"user\": \"u\", \"output\": \"poem\"}]}", "odd.json");
        QVERIFY(!r.ok());
    }

    void extractsCode_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("explanation");
        QTest::newRow("chatty") << QStringLiteral("Sure! Here is the code:\n\n```python\ndef f():\n    return 1\n```\n\nHope this helps.")
                                << QStringLiteral("python") << QStringLiteral("def f():\n    return 1")
                                << QStringLiteral("Sure! Here is the code:\n\nHope this helps.");
        QTest::newRow("prefers the language")
            << QStringLiteral("```bash\npip install x\n```\nThen:\n```py\nimport x\n```") << QStringLiteral("Python")
            << QStringLiteral("import x") << QStringLiteral("```bash\npip install x\n```\nThen:");
        QTest::newRow("alias c++") << QStringLiteral("```cpp\nint main() {}\n```") << QStringLiteral("C++")
                                   << QStringLiteral("int main() {}") << QString();
        QTest::newRow("no fence") << QStringLiteral("  x = 1\n") << QStringLiteral("python") << QStringLiteral("x = 1")
                                  << QString();
        QTest::newRow("cut off") << QStringLiteral("```rust\nfn main() {\n") << QStringLiteral("rust")
                                 << QStringLiteral("fn main() {") << QString();
        QTest::newRow("longer fence holds backticks")
            << QStringLiteral("````markdown\n```js\nx\n```\n````") << QString() << QStringLiteral("```js\nx\n```") << QString();
        QTest::newRow("reasoning removed") << QStringLiteral("<think>try ```c\nno\n```</think>\n```go\nok\n```")
                                           << QStringLiteral("go") << QStringLiteral("ok") << QString();
    }

    void extractsCode()
    {
        QFETCH(QString, answer);
        QFETCH(QString, language);
        QFETCH(QString, code);
        QFETCH(QString, explanation);
        const CodeAnswer r = extractCode(answer.toStdString(), language.toStdString());
        QCOMPARE(QString::fromStdString(r.code), code);
        QCOMPARE(QString::fromStdString(r.explanation), explanation);
    }

    void extractsPlainText_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("expected");
        QTest::newRow("bare") << QStringLiteral("Hallo Welt") << QStringLiteral("Hello world") << QStringLiteral("Hallo Welt");
        QTest::newRow("preamble") << QStringLiteral("Here is the translation:\n\nHallo Welt") << QStringLiteral("Hello world")
                                  << QStringLiteral("Hallo Welt");
        QTest::newRow("chinese preamble") << QStringLiteral("译文：\n你好，世界") << QStringLiteral("Hello, world")
                                          << QStringLiteral("译文：\n你好，世界");
        QTest::newRow("quotes") << QStringLiteral("\"Hallo Welt\"") << QStringLiteral("Hello world") << QStringLiteral("Hallo Welt");
        QTest::newRow("source quoted too") << QStringLiteral("\"Hallo\"") << QStringLiteral("\"Hello\"")
                                           << QStringLiteral("\"Hallo\"");
        QTest::newRow("curly quotes") << QStringLiteral("“Bonjour”") << QStringLiteral("Hello") << QStringLiteral("Bonjour");
        QTest::newRow("two quoted parts stay") << QStringLiteral("\"a\" and \"b\"") << QStringLiteral("x")
                                               << QStringLiteral("\"a\" and \"b\"");
        QTest::newRow("fenced answer") << QStringLiteral("```\nHallo\nWelt\n```") << QStringLiteral("Hello\nworld")
                                       << QStringLiteral("Hallo\nWelt");
        QTest::newRow("note dropped") << QStringLiteral("Hallo Welt\n\nNote: \"Welt\" means world.")
                                      << QStringLiteral("Hello world") << QStringLiteral("Hallo Welt");
        QTest::newRow("markdown kept") << QStringLiteral("# Titel\n\nHallo `print()` Welt.") << QStringLiteral("# Title\n\nHello `print()` world.")
                                       << QStringLiteral("# Titel\n\nHallo `print()` Welt.");
        QTest::newRow("reasoning and whitespace") << QStringLiteral("<think>\nhmm\n</think>\n\nHallo Welt\n")
                                                  << QStringLiteral("  Hello world\n") << QStringLiteral("  Hallo Welt\n");
        QTest::newRow("open think in prompt") << QStringLiteral("reasoning...</think>Hallo") << QStringLiteral("Hello")
                                              << QStringLiteral("Hallo");
    }

    void extractsPlainText()
    {
        QFETCH(QString, answer);
        QFETCH(QString, source);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(extractPlainText(answer.toStdString(), source.toStdString())), expected);
    }
};

QTEST_GUILESS_MAIN(TestChatPrompts)
#include "tst_chat_prompts.moc"
