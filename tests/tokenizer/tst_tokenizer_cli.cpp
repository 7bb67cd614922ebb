// inkstone-cli tokenize / detokenize: text taken byte for byte, ids printed on one line, and the
// exit-status contract (0 ok, 1 usage, 2 bad input with one "error: " line).

#include "TestVocab.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using engine::tokenizer::Tokenizer;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList& args, const QByteArray& input = {})
{
    QProcess p;
    p.start(QStringLiteral(INKSTONE_CLI_PATH), args);
    if (!p.waitForStarted(10000))
        return {};
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QByteArray idLine(const std::vector<int32_t>& ids)
{
    QByteArray line;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i)
            line += ' ';
        line += QByteArray::number(ids[i]);
    }
    return line + '\n';
}

} // namespace

class TestTokenizerCli : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void tokenizeTakesBytesVerbatim();
    void specialFlags();
    void detokenizeWritesBytes();
    void exitStatus();

private:
    QTemporaryDir m_dir;
    QString m_model;
    std::unique_ptr<testvocab::Loaded> m_loaded;
};

void TestTokenizerCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    testvocab::Spec s = testvocab::byteLevel({"Ġ w", "Ġw o", "h i"});
    testvocab::addToken(s, "<|bos|>", 3); // 259
    s.bos = 259;
    s.addBos = 1;
    m_model = m_dir.filePath(QStringLiteral("vocab.gguf"));
    QFile f(m_model);
    QVERIFY(f.open(QIODevice::WriteOnly));
    const std::vector<uint8_t> bytes = testvocab::write(s);
    f.write(reinterpret_cast<const char*>(bytes.data()), qint64(bytes.size()));
    f.close();
    m_loaded = testvocab::load(s);
    QVERIFY(m_loaded->tokenizer.ok());
}

void TestTokenizerCli::tokenizeTakesBytesVerbatim()
{
    const Tokenizer& tok = **m_loaded->tokenizer;
    // Leading spaces, a trailing newline, CR, NUL and invalid UTF-8 all reach the tokenizer.
    const QByteArray text("  hi wo\r\n\0\xFF" "end\n\n", 15);
    const std::string s(text.constData(), size_t(text.size()));
    const Run fromStdin = runCli({"tokenize", "-m", m_model}, text);
    QCOMPARE(fromStdin.exitCode, 0);
    QCOMPARE(fromStdin.out, idLine(tok.encode(s, false, false)));

    const QString path = m_dir.filePath(QStringLiteral("text.bin"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
    f.close();
    const Run fromFile = runCli({"tokenize", "-m", m_model, "-f", path});
    QCOMPARE(fromFile.exitCode, 0);
    QCOMPARE(fromFile.out, fromStdin.out);

    const Run empty = runCli({"tokenize", "-m", m_model}, QByteArray());
    QCOMPARE(empty.exitCode, 0);
    QCOMPARE(empty.out, QByteArray("\n"));
}

void TestTokenizerCli::specialFlags()
{
    const Run plain = runCli({"tokenize", "-m", m_model}, "<|bos|>hi");
    const Run parsed = runCli({"tokenize", "-m", m_model, "--parse-special"}, "<|bos|>hi");
    const Run added = runCli({"tokenize", "-m", m_model, "--add-special"}, "hi");
    QCOMPARE(parsed.out, QByteArray("259 258\n"));
    QVERIFY(!plain.out.split(' ').contains("259"));
    QCOMPARE(added.out, QByteArray("259 258\n"));
}

void TestTokenizerCli::detokenizeWritesBytes()
{
    const Run r = runCli({"detokenize", "-m", m_model, "259", "258", "257", "10"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("hi wo\n"));
    const Run shown = runCli({"detokenize", "-m", m_model, "--show-special", "259,258"});
    QCOMPARE(shown.out, QByteArray("<|bos|>hi"));
}

void TestTokenizerCli::exitStatus()
{
    const auto oneErrorLine = [](const Run& r) {
        return r.err.startsWith("error: ") && r.err.count('\n') == 1;
    };
    QCOMPARE(runCli({"tokenize", "--help"}).exitCode, 0);
    QCOMPARE(runCli({"detokenize", "--help"}).exitCode, 0);

    const Run noModel = runCli({"tokenize"}, "x");
    QCOMPARE(noModel.exitCode, 1);
    QVERIFY(oneErrorLine(noModel));
    QCOMPARE(runCli({"tokenize", "-m", m_model, "--bogus"}, "x").exitCode, 1);
    QCOMPARE(runCli({"detokenize", "-m", m_model, "12x"}).exitCode, 1);

    const Run missing = runCli({"tokenize", "-m", m_dir.filePath("absent.gguf")}, "x");
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(oneErrorLine(missing));
    const Run noFile = runCli({"tokenize", "-m", m_model, "-f", m_dir.filePath("absent.txt")});
    QCOMPARE(noFile.exitCode, 2);
    QVERIFY(oneErrorLine(noFile));
    const Run outOfRange = runCli({"detokenize", "-m", m_model, "100000"});
    QCOMPARE(outOfRange.exitCode, 2);
    QVERIFY(oneErrorLine(outOfRange));

    // A GGUF without a tokenizer is bad input, named in the message.
    engine::gguf::GgufWriter w;
    w.setValue("general.architecture", engine::gguf::Value::string("llama"));
    const QString bare = m_dir.filePath(QStringLiteral("bare.gguf"));
    QVERIFY(w.write(bare.toStdString()).ok());
    const Run noVocab = runCli({"tokenize", "-m", bare}, "x");
    QCOMPARE(noVocab.exitCode, 2);
    QVERIFY(oneErrorLine(noVocab));
    QVERIFY(noVocab.err.contains("tokenizer.ggml.model"));
}

QTEST_GUILESS_MAIN(TestTokenizerCli)
#include "tst_tokenizer_cli.moc"
