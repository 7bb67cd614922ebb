// The engine's CLI verbs as a script sees them (DESIGN.md's contract): `logits` prints JSON that
// matches llama.cpp's fixture, `run` streams text, `bench --json` parses, and bad input exits 2
// with one "error: " line.

#include "SharedFixtures.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

namespace {

struct Outcome {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Outcome runCli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(INKSTONE_CLI_PATH), args);
    Outcome o;
    if (!p.waitForFinished(60000)) {
        p.kill();
        return o;
    }
    o.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    o.out = p.readAllStandardOutput();
    o.err = p.readAllStandardError();
    return o;
}

QString fixture(const char* name)
{
    return testing::fixturesDir(QStringLiteral("llamacpp")) + QLatin1Char('/') + QLatin1String(name);
}

} // namespace

class TestEngineCli : public QObject {
    Q_OBJECT
private slots:
    void logitsMatchLlamaCpp()
    {
        INKSTONE_REQUIRE_FIXTURES("llamacpp");
        QFile f(fixture("tiny-qwen2-f32.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject fx = QJsonDocument::fromJson(f.readAll()).object();
        QStringList ids;
        for (const QJsonValue& v : fx.value(QStringLiteral("prompt_ids")).toArray())
            ids << QString::number(v.toInt());
        const Outcome o = runCli({QStringLiteral("logits"), QStringLiteral("-m"), fixture("tiny-qwen2-f32.gguf"), QStringLiteral("--tokens"),
                                  ids.join(QLatin1Char(',')), QStringLiteral("--positions"), QStringLiteral("0,23"), QStringLiteral("--kv"),
                                  QStringLiteral("f32"), QStringLiteral("-t"), QStringLiteral("2")});
        QCOMPARE(o.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(o.out).object();
        QCOMPARE(json.value(QStringLiteral("positions")).toArray(), (QJsonArray{0, 23}));
        const QJsonArray logits = json.value(QStringLiteral("logits")).toArray();
        QCOMPARE(logits.size(), 2);
        const QJsonObject run1 = fx.value(QStringLiteral("runs")).toArray()[1].toObject();   // F32 KV
        const QJsonArray refs[2] = {run1.value(QStringLiteral("logits_pos0")).toArray(), run1.value(QStringLiteral("logits_last")).toArray()};
        for (int k = 0; k < 2; ++k) {
            const QJsonArray ours = logits[k].toArray();
            QCOMPARE(ours.size(), 512);
            double maxErr = 0;
            for (int i = 0; i < 512; ++i)
                maxErr = std::max(maxErr, std::fabs(ours[i].toDouble() - refs[k][i].toDouble()));
            QVERIFY2(maxErr < 1e-4, qPrintable(QString::number(maxErr)));   // README: F32 files ≈1e-4
        }
    }

    void runStreamsText()
    {
        INKSTONE_REQUIRE_FIXTURES("llamacpp");
        const Outcome o = runCli({QStringLiteral("run"), QStringLiteral("-m"), fixture("tiny-llama-q8_0.gguf"), QStringLiteral("-p"),
                                  QStringLiteral("Hello"), QStringLiteral("-n"), QStringLiteral("8"), QStringLiteral("--temp"),
                                  QStringLiteral("0"), QStringLiteral("-t"), QStringLiteral("2")});
        QCOMPARE(o.exitCode, 0);
        QVERIFY(!o.out.trimmed().isEmpty());
        QVERIFY(o.err.contains("generated: 8 tokens"));
    }

    // Weights stay memory-mapped (or, where the CPU backend re-lays a matrix out, replace the
    // file's pages instead of adding to them): generating with a real-shape model (qwen2-0.5B,
    // Q4_0, 333 MiB, written by the project's writer) peaks at most 100 MiB above the file and
    // the KV cache, as `run` reports it.
    void peakMemoryStaysNearTheFileSize()
    {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("under AddressSanitizer (shadow memory, quarantine) resident memory says nothing about the engine");
#endif
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString model = dir.filePath(QStringLiteral("qwen2-0.5b-q4_0.gguf"));
        QProcess writer;
        writer.start(QStringLiteral(INKSTONE_MODEL_WRITER_PATH), {model, QStringLiteral("qwen2-0.5b"), QStringLiteral("Q4_0")});
        QVERIFY(writer.waitForFinished(120000));
        QCOMPARE(writer.exitCode(), 0);
        const double fileMiB = static_cast<double>(QFileInfo(model).size()) / (1024.0 * 1024.0);
        const int ctx = 512;
        const Outcome o = runCli({QStringLiteral("run"), QStringLiteral("-m"), model, QStringLiteral("-p"), QStringLiteral("Hello"),
                                  QStringLiteral("-n"), QStringLiteral("4"), QStringLiteral("-c"), QString::number(ctx),
                                  QStringLiteral("--temp"), QStringLiteral("0"), QStringLiteral("-t"), QStringLiteral("2"),
                                  QStringLiteral("--backend"), QStringLiteral("cpu")});
        QCOMPARE(o.exitCode, 0);
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("peak memory: (\\d+) MiB")).match(QString::fromUtf8(o.err));
        QVERIFY2(m.hasMatch(), o.err.constData());
        const double peakMiB = m.captured(1).toDouble();
        // F16 cache: 24 layers x (K + V) x ctx x 2 KV heads x 64 x 2 bytes.
        const double kvMiB = 24.0 * 2 * ctx * 2 * 64 * 2 / (1024.0 * 1024.0);
        qInfo("file %.0f MiB, KV %.1f MiB, peak %.0f MiB", fileMiB, kvMiB, peakMiB);
        QVERIFY2(peakMiB > 0.5 * fileMiB, "the peak should include the weights read");
        QVERIFY2(peakMiB <= fileMiB + kvMiB + 100.0, qPrintable(QStringLiteral("peak %1 MiB").arg(peakMiB)));
    }

    void benchJson()
    {
        INKSTONE_REQUIRE_FIXTURES("llamacpp");
        const Outcome o = runCli({QStringLiteral("bench"), QStringLiteral("-m"), fixture("tiny-llama-q4_0.gguf"), QStringLiteral("-p"),
                                  QStringLiteral("16"), QStringLiteral("-n"), QStringLiteral("4"), QStringLiteral("-r"), QStringLiteral("1"),
                                  QStringLiteral("-t"), QStringLiteral("2"), QStringLiteral("--json")});
        QCOMPARE(o.exitCode, 0);
        const QJsonArray rows = QJsonDocument::fromJson(o.out).array();
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].toObject().value(QStringLiteral("test")).toString(), QStringLiteral("pp16"));
        QCOMPARE(rows[1].toObject().value(QStringLiteral("test")).toString(), QStringLiteral("tg4"));
        QVERIFY(rows[1].toObject().value(QStringLiteral("avg_ts")).toDouble() > 0.0);

        // -d: the tests run deep in a filled cache, named as llama-bench names them.
        const Outcome deep = runCli({QStringLiteral("bench"), QStringLiteral("-m"), fixture("tiny-llama-q4_0.gguf"), QStringLiteral("-p"),
                                     QStringLiteral("8"), QStringLiteral("-n"), QStringLiteral("2"), QStringLiteral("-d"), QStringLiteral("40"),
                                     QStringLiteral("-r"), QStringLiteral("1"), QStringLiteral("-t"), QStringLiteral("2")});
        QCOMPARE(deep.exitCode, 0);
        QVERIFY2(deep.out.contains("pp8 @ d40") && deep.out.contains("tg2 @ d40"), deep.out.constData());
        // A depth past the model's context is refused, not run.
        const Outcome tooDeep = runCli({QStringLiteral("bench"), QStringLiteral("-m"), fixture("tiny-llama-q4_0.gguf"), QStringLiteral("-d"),
                                        QStringLiteral("1000000"), QStringLiteral("-r"), QStringLiteral("1")});
        QCOMPARE(tooDeep.exitCode, 2);
    }

    void badInputExitsTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        const QString model = fixture("tiny-llama-f32.gguf");
        QTest::newRow("missing model") << QStringList{QStringLiteral("logits"), QStringLiteral("-m"), QStringLiteral("/nonexistent.gguf"),
                                                      QStringLiteral("--tokens"), QStringLiteral("1")} << 2;
        QTest::newRow("id out of range") << QStringList{QStringLiteral("logits"), QStringLiteral("-m"), model, QStringLiteral("--tokens"),
                                                        QStringLiteral("1,4096")} << 2;
        QTest::newRow("too long for context") << QStringList{QStringLiteral("run"), QStringLiteral("-m"), model, QStringLiteral("-c"),
                                                             QStringLiteral("4"), QStringLiteral("-p"), QStringLiteral("a fairly long prompt here")} << 2;
        QTest::newRow("not a gguf") << QStringList{QStringLiteral("bench"), QStringLiteral("-m"), QStringLiteral(INKSTONE_CLI_PATH)} << 2;
        QTest::newRow("bad flag") << QStringList{QStringLiteral("run"), QStringLiteral("--frobnicate")} << 1;
        QTest::newRow("bad number") << QStringList{QStringLiteral("bench"), QStringLiteral("-m"), model, QStringLiteral("-r"), QStringLiteral("x")} << 1;
    }

    void badInputExitsTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        if (code == 2 && args.contains(fixture("tiny-llama-f32.gguf")))
            INKSTONE_REQUIRE_FIXTURES("llamacpp");
        const Outcome o = runCli(args);
        QCOMPARE(o.exitCode, code);
        const QList<QByteArray> lines = o.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines[0].startsWith("error: "), o.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestEngineCli)
#include "tst_engine_cli.moc"
