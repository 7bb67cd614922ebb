// inkstone-cli template, end to end: the bytes it prints for the fixture conversations, the
// variables it passes (--bos/--eos/--date/--no-generation-prompt, -m reading a GGUF), and the
// exit-status contract (1 bad usage, 2 bad input with one "error: " line).

#include "SharedFixtures.h"

#include "chat/Json.h"
#include "chat/ModelChatInfo.h"
#include "gguf/GgufFile.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace engine::chat;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(INKSTONE_CLI_PATH), QStringList{QStringLiteral("template")} + args);
    Run r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray bytesOf(const std::string& s) { return QByteArray(s.data(), static_cast<qsizetype>(s.size())); }

const QByteArray kMessages = R"([{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hello!"}])";

} // namespace

class TestChatCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const char* name) const { return m_dir.filePath(QLatin1String(name)); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QFile::exists(QStringLiteral(INKSTONE_CLI_PATH)));
        QVERIFY(writeFile(path("m.json"), kMessages));
    }

    void printsExactlyTheRendering()
    {
        // Expected bytes from Python Jinja2 in the transformers environment.
        QVERIFY(writeFile(path("t.jinja"),
                          "{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}<|end|>\n{% endfor %}"
                          "{% if add_generation_prompt %}<|assistant|>\n{% endif %}\n"));
        Run r = runCli({QStringLiteral("--template"), path("t.jinja"), QStringLiteral("--messages"), path("m.json")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QByteArray("<|system|>\nBe kind.<|end|>\n<|user|>\nHello!<|end|>\n<|assistant|>\n"));
        QVERIFY(r.err.isEmpty());
        r = runCli({QStringLiteral("--template"), path("t.jinja"), QStringLiteral("--messages"), path("m.json"),
                    QStringLiteral("--no-generation-prompt")});
        QCOMPARE(r.out, QByteArray("<|system|>\nBe kind.<|end|>\n<|user|>\nHello!<|end|>\n"));
    }

    void passesTokensAndDate()
    {
        QVERIFY(writeFile(path("v.jinja"), "{{ bos_token is defined }}[{{ bos_token }}][{{ eos_token }}]"
                                           "{{ strftime_now('%d %B %Y %H:%M') }}|{{ tools }}|{{ documents }}"));
        Run r = runCli({QStringLiteral("--template"), path("v.jinja"), QStringLiteral("--messages"), path("m.json"),
                        QStringLiteral("--date"), QStringLiteral("2024-12-31")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QByteArray("False[][]31 December 2024 12:00|None|None"));
        r = runCli({QStringLiteral("--template"), path("v.jinja"), QStringLiteral("--messages"), path("m.json"),
                    QStringLiteral("--bos"), QStringLiteral("<s>"), QStringLiteral("--eos"), QStringLiteral("</s>"),
                    QStringLiteral("--date"), QStringLiteral("2025-02-05")});
        QCOMPARE(r.out, QByteArray("True[<s>][</s>]05 February 2025 12:00|None|None"));
    }

    void readsTheModelsTemplateAndTokens()
    {
        INKSTONE_REQUIRE_FIXTURES("vocab");
        const QString phi3 = testing::fixturesDir(QStringLiteral("vocab")) + QStringLiteral("/ggml-vocab-phi-3.gguf");
        Run r = runCli({QStringLiteral("-m"), phi3, QStringLiteral("--messages"), path("m.json")});
        QCOMPARE(r.exitCode, 0);
        // Phi-3's stored template drops system turns; BOS is token 1, "<s>". (Python Jinja2 agrees.)
        QCOMPARE(r.out, QByteArray("<s><|user|>\nHello!<|end|>\n<|assistant|>\n"));
        r = runCli({QStringLiteral("-m"), phi3, QStringLiteral("--messages"), path("m.json"), QStringLiteral("--bos"),
                    QStringLiteral("[B]")});
        QCOMPARE(r.out, QByteArray("[B]<|user|>\nHello!<|end|>\n<|assistant|>\n"));

        const QString gpt2 = testing::fixturesDir(QStringLiteral("vocab")) + QStringLiteral("/ggml-vocab-gpt-2.gguf");
        r = runCli({QStringLiteral("-m"), gpt2, QStringLiteral("--messages"), path("m.json")});
        QCOMPARE(r.exitCode, 0); // no template: Inkstone's plain transcript
        QCOMPARE(r.out, QByteArray("Be kind.\n\nUser: Hello!\n\nAssistant:"));
    }

    void readsModelChatInfo()
    {
        INKSTONE_REQUIRE_FIXTURES("vocab");
        const QString dir = testing::fixturesDir(QStringLiteral("vocab"));
        auto phi3 = engine::gguf::GgufFile::open((dir + QStringLiteral("/ggml-vocab-phi-3.gguf")).toStdString());
        QVERIFY(phi3.ok());
        const ModelChatInfo info = readModelChatInfo(**phi3);
        QVERIFY(info.chatTemplate && info.chatTemplate->find("<|user|>") != std::string::npos);
        QCOMPARE(info.bosToken.value_or("?"), std::string("<s>"));          // id 1
        QCOMPARE(info.eosToken.value_or("?"), std::string("<|endoftext|>")); // id 32000
        auto gpt2 = engine::gguf::GgufFile::open((dir + QStringLiteral("/ggml-vocab-gpt-2.gguf")).toStdString());
        QVERIFY(gpt2.ok());
        const ModelChatInfo plain = readModelChatInfo(**gpt2);
        QVERIFY(!plain.chatTemplate);
        QCOMPARE(plain.bosToken.value_or("?"), std::string("<|endoftext|>")); // id 50256
    }

    void rendersTheFixtureConversations()
    {
        INKSTONE_REQUIRE_FIXTURES("chat-templates");
        const QDir dir(testing::fixturesDir(QStringLiteral("chat-templates")));
        int checked = 0;
        for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray raw = f.readAll();
            auto fixture = parseJson(std::string_view(raw.constData(), static_cast<size_t>(raw.size())));
            QVERIFY(fixture.ok());
            QVERIFY(writeFile(path("f.jinja"), bytesOf(fixture->find(std::string_view("template"))->asString())));
            for (const Value& c : fixture->find(std::string_view("cases"))->asList()) {
                const std::string id = c.find(std::string_view("id"))->asString();
                if (id != "c_multi_turn" && id != "f_ends_with_assistant_no_gen_prompt")
                    continue;
                auto messages = toJson(*c.find(std::string_view("messages")));
                QVERIFY(writeFile(path("f.json"), bytesOf(*messages)));
                QStringList args = {QStringLiteral("--template"), path("f.jinja"), QStringLiteral("--messages"),
                                    path("f.json"), QStringLiteral("--date"), QStringLiteral("2025-02-05")};
                if (!c.find(std::string_view("add_generation_prompt"))->truthy())
                    args << QStringLiteral("--no-generation-prompt");
                const Value& vars = *c.find(std::string_view("variables"));
                for (const char* token : {"bos_token", "eos_token"})
                    if (const Value* t = vars.find(std::string_view(token)))
                        args << (token[0] == 'b' ? QStringLiteral("--bos") : QStringLiteral("--eos"))
                             << QString::fromStdString(t->asString());
                const Value* py = c.find(std::string_view("cross_checks"))->find(std::string_view("python_jinja2_transformers_env"));
                const bool same = py->find(std::string_view("same_as_primary"))->truthy();
                const Value& expected = same ? *c.find(std::string_view("rendered")) : *py->find(std::string_view("rendered"));
                const Run r = runCli(args);
                const QString where = name + QLatin1Char(':') + QString::fromStdString(id);
                if (expected.isNone()) {
                    QVERIFY2(r.exitCode == 2, qPrintable(where));
                    QVERIFY2(r.err.startsWith("error: ") && r.err.count('\n') == 1, qPrintable(where + r.err));
                    QVERIFY2(r.out.isEmpty(), qPrintable(where));
                } else {
                    QVERIFY2(r.exitCode == 0, qPrintable(where + QStringLiteral(": ") + QString::fromUtf8(r.err)));
                    QVERIFY2(r.out == bytesOf(expected.asString()), qPrintable(where));
                }
                ++checked;
            }
        }
        qInfo("%d fixture conversations rendered through the CLI", checked);
    }

    void exitStatusContract_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("no template or model") << QStringList{QStringLiteral("--messages"), QStringLiteral("m.json")} << 1;
        QTest::newRow("no messages") << QStringList{QStringLiteral("--template"), QStringLiteral("t.jinja")} << 1;
        QTest::newRow("unknown flag") << QStringList{QStringLiteral("--frobnicate")} << 1;
        QTest::newRow("bad date") << QStringList{QStringLiteral("--template"), QStringLiteral("t.jinja"), QStringLiteral("--messages"),
                                                 QStringLiteral("m.json"), QStringLiteral("--date"), QStringLiteral("31/12/2024")}
                                  << 1;
        QTest::newRow("missing messages file") << QStringList{QStringLiteral("--template"), QStringLiteral("t.jinja"),
                                                              QStringLiteral("--messages"), QStringLiteral("none.json")}
                                               << 2;
        QTest::newRow("invalid messages JSON") << QStringList{QStringLiteral("--template"), QStringLiteral("t.jinja"),
                                                              QStringLiteral("--messages"), QStringLiteral("bad.json")}
                                               << 2;
        QTest::newRow("template raises") << QStringList{QStringLiteral("--template"), QStringLiteral("raise.jinja"),
                                                        QStringLiteral("--messages"), QStringLiteral("m.json")}
                                         << 2;
        QTest::newRow("template syntax error") << QStringList{QStringLiteral("--template"), QStringLiteral("syntax.jinja"),
                                                              QStringLiteral("--messages"), QStringLiteral("m.json")}
                                               << 2;
        QTest::newRow("model is not a GGUF") << QStringList{QStringLiteral("-m"), QStringLiteral("m.json"),
                                                            QStringLiteral("--messages"), QStringLiteral("m.json")}
                                             << 2;
    }

    void exitStatusContract()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QVERIFY(writeFile(path("bad.json"), "[{\"role\": \"user\", "));
        QVERIFY(writeFile(path("raise.jinja"), "{{ raise_exception('System role not supported') }}"));
        QVERIFY(writeFile(path("syntax.jinja"), "line\n{% for m in %}"));
        QStringList full;
        for (const QString& a : args)
            full << (QFile::exists(m_dir.filePath(a)) || a.endsWith(QLatin1String(".json")) || a.endsWith(QLatin1String(".jinja"))
                         ? m_dir.filePath(a)
                         : a);
        const Run r = runCli(full);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.startsWith("error: "), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(r.out.isEmpty());
    }

    void errorNamesTheTemplateLine()
    {
        QVERIFY(writeFile(path("syntax.jinja"), "line\n{% for m in %}"));
        const Run r = runCli({QStringLiteral("--template"), path("syntax.jinja"), QStringLiteral("--messages"), path("m.json")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("line 2"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestChatCli)
#include "tst_chat_cli.moc"
