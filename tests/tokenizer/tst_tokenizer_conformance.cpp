// Conformance: every vocabulary in ../shared/fixtures/vocab with a .inp/.out pair must give
// exactly the ids Hugging Face's tokenizers give (add_special=false, parse_special=false), and
// the tiny llama.cpp models' tokenizer_check must match too.

#include "SharedFixtures.h"

#include "gguf/GgufFile.h"
#include "tokenizer/Tokenizer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using engine::tokenizer::Tokenizer;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Split exactly as llama.cpp's test-tokenizer-0 does (see the fixtures README).
QList<QByteArray> parseInputs(const QByteArray& raw)
{
    static const QByteArray sep("\n__ggml_vocab_test__\n");
    QList<QByteArray> tests;
    qsizetype pos = 0;
    while (pos < raw.size()) {
        const qsizetype next = raw.indexOf(sep, pos);
        if (next < 0) {
            tests.append(raw.mid(pos));
            break;
        }
        tests.append(raw.mid(pos, next - pos));
        pos = next + sep.size();
    }
    return tests;
}

QList<std::vector<int32_t>> parseOutputs(const QByteArray& raw)
{
    QList<std::vector<int32_t>> out;
    QList<QByteArray> lines = raw.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    for (const QByteArray& line : lines) {
        std::vector<int32_t> ids;
        for (const QByteArray& piece : line.trimmed().split(' '))
            if (!piece.isEmpty())
                ids.push_back(piece.toInt());
        out.append(ids);
    }
    return out;
}

QString idsToString(const std::vector<int32_t>& ids)
{
    QStringList parts;
    for (const int32_t id : ids)
        parts << QString::number(id);
    return parts.join(' ');
}

std::unique_ptr<Tokenizer> loadTokenizer(const QString& path)
{
    auto file = engine::gguf::GgufFile::open(path.toStdString());
    if (!file) {
        qWarning("%s: %s", qPrintable(path), file.error().message().c_str());
        return nullptr;
    }
    auto tok = Tokenizer::fromGguf(**file);
    if (!tok) {
        qWarning("%s: %s", qPrintable(path), tok.error().message().c_str());
        return nullptr;
    }
    return std::move(tok).value();
}

} // namespace

class TestTokenizerConformance : public QObject {
    Q_OBJECT

private slots:
    void vocabularies_data();
    void vocabularies();
    void llamacppTokenizerCheck_data();
    void llamacppTokenizerCheck();
};

void TestTokenizerConformance::vocabularies_data()
{
    QTest::addColumn<QString>("gguf");
    if (!testing::haveFixtures(QStringLiteral("vocab"))) {
        QTest::newRow("no-fixtures") << QString();
        return;
    }
    const QDir dir(testing::fixturesDir(QStringLiteral("vocab")));
    const QStringList ggufs = dir.entryList({QStringLiteral("*.gguf")}, QDir::Files, QDir::Name);
    for (const QString& name : ggufs)
        if (QFile::exists(dir.filePath(name + ".inp")) && QFile::exists(dir.filePath(name + ".out")))
            QTest::newRow(qPrintable(name)) << dir.filePath(name);
}

void TestTokenizerConformance::vocabularies()
{
    INKSTONE_REQUIRE_FIXTURES("vocab");
    QFETCH(QString, gguf);
    const auto tok = loadTokenizer(gguf);
    QVERIFY(tok);
    const QList<QByteArray> inputs = parseInputs(readAll(gguf + ".inp"));
    const QList<std::vector<int32_t>> expected = parseOutputs(readAll(gguf + ".out"));
    QCOMPARE(inputs.size(), expected.size());
    QVERIFY(!inputs.isEmpty());

    int passed = 0;
    int roundTrips = 0;
    QStringList failures;
    for (qsizetype i = 0; i < inputs.size(); ++i) {
        const std::string text = inputs[i].toStdString();
        const std::vector<int32_t> ids = tok->encode(text, false, false);
        if (ids == expected[i])
            ++passed;
        else
            failures << QStringLiteral("  #%1 %2\n    expected: %3\n    got:      %4")
                            .arg(i)
                            .arg(QString::fromUtf8(QJsonDocument(QJsonArray{QString::fromUtf8(inputs[i])}).toJson(QJsonDocument::Compact)))
                            .arg(idsToString(expected[i]), idsToString(ids));
        // Round trip: the reference's ids decode back to the text (all these inputs are valid
        // UTF-8 and free of special-token text).
        if (tok->decode(expected[i], false) == text)
            ++roundTrips;
        else
            failures << QStringLiteral("  #%1 does not round-trip: '%2'").arg(i).arg(QString::fromStdString(tok->decode(expected[i], false)));
    }
    qInfo("%s: %d/%d strings match, %d/%d round-trip", qPrintable(QFileInfo(gguf).fileName()), passed,
          int(inputs.size()), roundTrips, int(inputs.size()));
    if (!failures.isEmpty())
        QFAIL(qPrintable(QStringLiteral("mismatches:\n") + failures.join('\n')));
}

void TestTokenizerConformance::llamacppTokenizerCheck_data()
{
    QTest::addColumn<QString>("json");
    if (!testing::haveFixtures(QStringLiteral("llamacpp"))) {
        QTest::newRow("no-fixtures") << QString();
        return;
    }
    const QDir dir(testing::fixturesDir(QStringLiteral("llamacpp")));
    for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        QTest::newRow(qPrintable(name)) << dir.filePath(name);
}

void TestTokenizerConformance::llamacppTokenizerCheck()
{
    INKSTONE_REQUIRE_FIXTURES("llamacpp");
    QFETCH(QString, json);
    const QJsonObject root = QJsonDocument::fromJson(readAll(json)).object();
    const QJsonObject check = root.value(QStringLiteral("tokenizer_check")).toObject();
    if (check.isEmpty())
        QSKIP("no tokenizer_check in this file");
    QString model = root.value(QStringLiteral("model_path")).toString();
    if (model.isEmpty())
        model = root.value(QStringLiteral("model_file")).toString();
    const auto tok = loadTokenizer(QFileInfo(json).dir().filePath(model));
    QVERIFY(tok);
    std::vector<int32_t> expected;
    for (const QJsonValue& v : check.value(QStringLiteral("ids")).toArray())
        expected.push_back(v.toInt());
    const std::string text = check.value(QStringLiteral("text")).toString().toStdString();
    const auto ids = tok->encode(text, check.value(QStringLiteral("add_special")).toBool(),
                                 check.value(QStringLiteral("parse_special")).toBool());
    QCOMPARE(idsToString(ids), idsToString(expected));
    QCOMPARE(tok->decode(ids, false), text);
}

QTEST_GUILESS_MAIN(TestTokenizerConformance)
#include "tst_tokenizer_conformance.moc"
