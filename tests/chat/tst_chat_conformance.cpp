// Every case of ../shared/fixtures/chat-templates renders byte for byte as Hugging Face's
// renderers do. Where the primary renderer (@huggingface/jinja) fails but Python Jinja2 in the
// transformers environment renders, the Python string is expected (the fixtures' README says
// so); where Python fails, an error is expected. Each case is checked twice: with the variables
// transformers passes and with the set llama.cpp passes (date_string, enable_thinking, no tools).

#include "SharedFixtures.h"

#include "chat/Json.h"
#include "chat/Template.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QTest>

using namespace engine::chat;

namespace {

Value loadFixture(const QString& path)
{
    static QHash<QString, Value> cache; // each file serves 14 rows
    if (auto it = cache.constFind(path); it != cache.constEnd())
        return *it;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Value();
    const QByteArray bytes = f.readAll();
    // Our JSON reader, not QJsonDocument: key order matters to tojson.
    auto v = parseJson(std::string_view(bytes.constData(), static_cast<size_t>(bytes.size())));
    const Value result = v.ok() ? *v : Value();
    cache.insert(path, result);
    return result;
}

const Value& field(const Value& v, const char* key)
{
    static const Value missing;
    const Value* f = v.find(std::string_view(key));
    return f ? *f : missing;
}

} // namespace

class TestChatConformance : public QObject {
    Q_OBJECT

private slots:
    void renders_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("caseIndex");
        QTest::addColumn<bool>("llamaCppVariables");
        if (!testing::haveFixtures(QStringLiteral("chat-templates"))) {
            QTest::newRow("fixtures absent") << QString() << 0 << false; // lets renders() report the skip
            return;
        }
        const QDir dir(testing::fixturesDir(QStringLiteral("chat-templates")));
        for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
            const Value fixture = loadFixture(dir.filePath(name));
            const Value& cases = field(fixture, "cases");
            if (!cases.isList())
                continue;
            for (int i = 0; i < static_cast<int>(cases.asList().size()); ++i) {
                const QString id = QString::fromStdString(field(cases.asList()[static_cast<size_t>(i)], "id").asString());
                QTest::newRow(qPrintable(name + QLatin1Char(':') + id)) << dir.filePath(name) << i << false;
                QTest::newRow(qPrintable(name + QLatin1Char(':') + id + QStringLiteral("[llama.cpp vars]")))
                    << dir.filePath(name) << i << true;
            }
        }
    }

    void renders()
    {
        INKSTONE_REQUIRE_FIXTURES("chat-templates");
        QFETCH(QString, file);
        QFETCH(int, caseIndex);
        QFETCH(bool, llamaCppVariables);
        const Value fixture = loadFixture(file);
        QVERIFY2(fixture.isDict(), qPrintable(QStringLiteral("unreadable fixture ") + file));
        const Value& c = field(fixture, "cases").asList()[static_cast<size_t>(caseIndex)];

        const Value& scope = llamaCppVariables ? field(c, "llama_cpp_style_variables") : c;
        const Value& variables = field(scope, "variables");
        const Value& python = llamaCppVariables ? field(scope, "python_jinja2_transformers_env")
                                                : field(field(c, "cross_checks"), "python_jinja2_transformers_env");
        const bool sameAsPrimary = field(python, "same_as_primary").truthy();
        const Value& expected = sameAsPrimary ? field(c, "rendered") : field(python, "rendered");
        const Value& expectedError = sameAsPrimary ? field(c, "error") : field(python, "error");

        auto tmpl = Template::parse(field(fixture, "template").asString());
        QVERIFY2(tmpl.ok(), tmpl.ok() ? "" : tmpl.error().detail.c_str());
        RenderOptions options;
        options.now = DateTime{2025, 2, 5, 12, 0, 0}; // the fixtures' fixed_now
        auto rendered = tmpl->render(variables, options);

        if (expected.isNone()) {
            QVERIFY2(!rendered.ok(), qPrintable(QStringLiteral("expected the error '%1', but the template rendered")
                                                    .arg(QString::fromStdString(toPythonStr(expectedError)))));
            QCOMPARE(rendered.error().code, engine::ErrorCode::Template);
            return;
        }
        QVERIFY2(rendered.ok(), rendered.ok() ? "" : rendered.error().detail.c_str());
        QCOMPARE(QString::fromStdString(*rendered), QString::fromStdString(expected.asString()));
    }
};

QTEST_GUILESS_MAIN(TestChatConformance)
#include "tst_chat_conformance.moc"
