// Hostile templates end with an ErrorCode::Template error in bounded time and memory, under
// the default limits an app uses; real conversations stay far inside those limits.

#include "chat/ChatTemplate.h"
#include "chat/Template.h"

#include <QTest>

using namespace engine::chat;

namespace {

engine::Result<std::string> render(const std::string& source, const RenderLimits& limits = {})
{
    auto t = Template::parse(source);
    if (!t.ok())
        return t.error();
    RenderOptions options;
    options.limits = limits;
    return t->render(Value::dict({}), options);
}

std::string repeat(const std::string& s, int n)
{
    std::string out;
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

} // namespace

class TestChatLimits : public QObject {
    Q_OBJECT

private slots:
    void hostileTemplatesFail_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("infinite macro recursion")
            << QStringLiteral("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}") << QStringLiteral("recurses deeper");
        QTest::newRow("mutual macro recursion")
            << QStringLiteral("{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}")
            << QStringLiteral("recurses deeper");
        QTest::newRow("exponential string growth")
            << QStringLiteral("{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}"
                              "{% endfor %}{{ ns.s }}")
            << QStringLiteral("exceeds the limit");
        QTest::newRow("exponential list growth")
            << QStringLiteral("{% set ns = namespace(l=[1]) %}{% for i in range(100) %}{% set ns.l = ns.l + ns.l %}"
                              "{% endfor %}{{ ns.l|length }}")
            << QStringLiteral("exceeds the limit");
        QTest::newRow("exponential call tree")
            << QStringLiteral("{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
                              "{{ f(60) }}")
            << QStringLiteral("exceeds the limit");
        QTest::newRow("huge range") << QStringLiteral("{% for i in range(1000000000) %}x{% endfor %}")
                                    << QStringLiteral("range too big");
        QTest::newRow("nested loops")
            << QStringLiteral("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
            << QStringLiteral("loop iterations");
        QTest::newRow("string repetition") << QStringLiteral("{{ 'x' * 1000000000000 }}")
                                           << QStringLiteral("exceeds the limit");
        QTest::newRow("list repetition") << QStringLiteral("{{ ([1] * 1000000000)|length }}")
                                         << QStringLiteral("exceeds the limit");
        QTest::newRow("replace blow-up")
            << QStringLiteral("{% set ns = namespace(s='a') %}{% for i in range(64) %}{% set ns.s = ns.s.replace('a', 'aa') %}"
                              "{% endfor %}")
            << QStringLiteral("exceeds the limit");
        QTest::newRow("output flood")
            << QStringLiteral("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}") << QStringLiteral("exceeds the limit");
        QTest::newRow("deep parentheses") << QString::fromStdString("{{ " + repeat("(", 5000) + "1" + repeat(")", 5000) + " }}")
                                          << QStringLiteral("nests deeper");
        QTest::newRow("deep not chain") << QString::fromStdString("{{ " + repeat("not ", 5000) + "1 }}")
                                        << QStringLiteral("nests deeper");
        QTest::newRow("deep blocks")
            << QString::fromStdString(repeat("{% if true %}", 5000) + repeat("{% endif %}", 5000))
            << QStringLiteral("nests deeper");
        QTest::newRow("deep lists") << QString::fromStdString("{{ " + repeat("[", 5000) + repeat("]", 5000) + " }}")
                                    << QStringLiteral("nests deeper");
    }

    void hostileTemplatesFail()
    {
        QFETCH(QString, source);
        QFETCH(QString, messagePart);
        auto out = render(source.toStdString());
        QVERIFY2(!out.ok(), "a hostile template rendered");
        QCOMPARE(out.error().code, engine::ErrorCode::Template);
        QVERIFY2(out.error().detail.find(messagePart.toStdString()) != std::string::npos, out.error().detail.c_str());
    }

    void stepLimitStopsEndlessWork()
    {
        RenderLimits limits;
        limits.maxSteps = 10'000;
        auto out = render("{% for i in range(100000) %}{{ i }}{% endfor %}", limits);
        QVERIFY(!out.ok());
        QVERIFY2(out.error().detail.find("evaluation steps") != std::string::npos, out.error().detail.c_str());
    }

    void oversizedSourceIsRefused()
    {
        auto t = Template::parse(std::string(Template::kMaxSourceBytes + 1, 'x'));
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code, engine::ErrorCode::Template);
    }

    void longRealConversationFitsTheDefaults()
    {
        // A ChatML template over 5000 turns of 1 KB: ordinary use must not hit any limit.
        std::vector<ChatMessage> messages;
        for (int i = 0; i < 5000; ++i)
            messages.push_back({i % 2 ? "assistant" : "user", std::string(1000, 'a' + i % 26)});
        ChatRequest request;
        request.messages = messagesValue(messages);
        auto t = ChatTemplate::fromSource(
            "{%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] | trim + "
            "'<|im_end|>' + '\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}");
        QVERIFY(t.ok());
        auto out = t->apply(request);
        QVERIFY2(out.ok(), out.ok() ? "" : out.error().detail.c_str());
        // per turn: "<|im_start|>" + role + "\n" + content + "<|im_end|>" + "\n"; then the assistant header
        QCOMPARE(out->size(), size_t(5000 * (12 + 1 + 1000 + 10 + 1) + 2500 * 4 + 2500 * 9 + 22));
    }
};

QTEST_GUILESS_MAIN(TestChatLimits)
#include "tst_chat_limits.moc"
