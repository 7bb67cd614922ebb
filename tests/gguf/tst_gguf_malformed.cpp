// Hostile and broken files: every case of the malformed corpus must give an error from the
// library that names what is wrong and at which byte, and, through the real inkstone-cli, exit
// status 2 with exactly one stderr line starting with "error: ".

#include "GgufCorpus.h"

#include "gguf/GgufFile.h"
#include "gguf/GgufWriter.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <set>

using namespace engine;
using namespace engine::gguf;

namespace {

struct CliResult {
    int exitCode = -1;
    bool crashed = false;
    QByteArray out;
    QByteArray err;
};

CliResult runCli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(INKSTONE_CLI_PATH), args);
    CliResult r;
    if (!p.waitForStarted(10000))
        return r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        r.crashed = true; // a hang is as bad as a crash
        return r;
    }
    r.crashed = p.exitStatus() != QProcess::NormalExit;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

bool writeFile(const QString& path, const std::vector<uint8_t>& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) &&
           f.write(reinterpret_cast<const char*>(bytes.data()), qint64(bytes.size())) == qint64(bytes.size());
}

} // namespace

class TestGgufMalformed : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(QStringLiteral(INKSTONE_CLI_PATH)).isExecutable(),
                 "inkstone-cli is not built at " INKSTONE_CLI_PATH);
    }

    void baseFileIsValid()
    {
        // The corpus is made by damaging this file: if it did not open, every case would "pass".
        const auto base = testing::gguf::validBaseFile();
        auto f = GgufFile::fromMemory(base);
        QVERIFY2(f.ok(), f.ok() ? "" : f.error().message().c_str());
        QCOMPARE((*f)->alignment(), uint64_t(64));
        QCOMPARE((*f)->tensors().size(), size_t(3));
    }

    void corpusIsRejectedByTheLibrary()
    {
        const auto corpus = testing::gguf::malformedCorpus();
        QVERIFY(corpus.size() > 100);
        std::set<std::string> names;
        for (const auto& c : corpus) {
            QVERIFY2(names.insert(c.name).second, c.name.c_str());
            auto r = GgufFile::fromMemory(c.bytes);
            QVERIFY2(!r.ok(), c.name.c_str());
            const Error& e = r.error();
            const std::string where = c.name + ": " + e.message();
            QVERIFY2(e.code == ErrorCode::InvalidFile || e.code == ErrorCode::Unsupported, where.c_str());
            QVERIFY2(e.detail.find("(at byte ") != std::string::npos, where.c_str());
            QVERIFY2(e.detail.find('\n') == std::string::npos, where.c_str());
            QVERIFY2(e.detail.find(c.expect) != std::string::npos, (where + " (expected '" + c.expect + "')").c_str());
        }
    }

    void errorsNameTheOffendingByte()
    {
        // Spot checks that the offset is the field's, not just any number.
        for (const auto& c : testing::gguf::malformedCorpus()) {
            auto r = GgufFile::fromMemory(c.bytes);
            if (c.name == "version-1")
                QVERIFY(r.error().detail.find("(at byte 4)") != std::string::npos);
            if (c.name == "magic-wrong")
                QVERIFY(r.error().detail.find("(at byte 0)") != std::string::npos);
            if (c.name == "tensor-count-2^63")
                QVERIFY(r.error().detail.find("(at byte 8)") != std::string::npos);
            if (c.name == "duplicate-tensor-name")
                QVERIFY(r.error().detail.find("tensor 'blk.0.a': duplicate tensor name") != std::string::npos);
            if (c.name == "offset-past-eof")
                QVERIFY(r.error().detail.find("tensor 'blk.0.c': data range [") != std::string::npos);
        }
    }

    void absurdCountsFailFastEvenWithoutCaps()
    {
        // With every cap lifted, a 2^63 count must still be refused by the bytes-remaining check
        // before anything is reserved (a reserve would surface as OutOfMemory, or take forever).
        ReadLimits open;
        open.maxStringLength = open.maxArrayLength = open.maxTotalArrayElements = UINT64_MAX;
        open.maxKeyValueCount = open.maxTensorCount = UINT64_MAX;
        open.maxArrayNesting = UINT32_MAX;
        int checked = 0;
        for (const auto& c : testing::gguf::malformedCorpus()) {
            if (c.name.find("2^6") == std::string::npos)
                continue;
            auto r = GgufFile::fromMemory(c.bytes, open);
            QVERIFY2(!r.ok(), c.name.c_str());
            QVERIFY2(r.error().code == ErrorCode::InvalidFile, (c.name + ": " + r.error().message()).c_str());
            ++checked;
        }
        QVERIFY(checked >= 10);
    }

    void emptyTensorWithOverflowingRowCountIsRejected()
    {
        // Found by the fuzzer: ne = {0, 2^32, 2^32} has 0 elements, but its row count overflows.
        std::vector<uint8_t> b;
        auto put = [&b](const void* p, size_t n) {
            const size_t at = b.size();
            b.resize(at + n);
            std::memcpy(b.data() + at, p, n);
        };
        auto u32 = [&put](uint32_t v) { put(&v, 4); };
        auto u64 = [&put](uint64_t v) { put(&v, 8); };
        put("GGUF", 4);
        u32(3);      // version
        u64(1);      // tensors
        u64(0);      // key/values
        u64(1);
        put("t", 1); // name
        u32(3);      // dims
        u64(0);
        u64(uint64_t(1) << 32);
        u64(uint64_t(1) << 32);
        u32(0);      // F32
        u64(0);      // offset
        b.resize((b.size() + 31) / 32 * 32 + 32, 0);
        auto r = GgufFile::fromMemory(b);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().detail.find("row count overflows") != std::string::npos, r.error().detail.c_str());
    }

    void tightLimitsAreApplied()
    {
        GgufWriter w;
        w.setValue("s", Value::string(std::string(100, 'x')));
        w.setValue("a", Value::int32Array(std::vector<int32_t>(100, 1)));
        const auto bytes = w.toBytes();
        ReadLimits small;
        small.maxStringLength = 99;
        QVERIFY(GgufFile::fromMemory(bytes, small).error().detail.find("exceeds the limit of 99") != std::string::npos);
        small = {};
        small.maxArrayLength = 99;
        QVERIFY(GgufFile::fromMemory(bytes, small).error().detail.find("exceeds the limit of 99") != std::string::npos);
        small = {};
        small.maxKeyValueCount = 1;
        QVERIFY(!GgufFile::fromMemory(bytes, small).ok());
        QVERIFY(GgufFile::fromMemory(bytes).ok());
    }

    void corpusThroughTheCli()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        int launched = 0;
        for (const auto& c : testing::gguf::malformedCorpus()) {
            if (!c.runThroughCli)
                continue;
            const QString path = dir.filePath(QString::fromStdString(c.name) + QStringLiteral(".gguf"));
            QVERIFY(writeFile(path, c.bytes));
            const QStringList args = launched % 2 ? QStringList{QStringLiteral("info"), path, QStringLiteral("--json")}
                                                  : QStringList{QStringLiteral("info"), path};
            const CliResult r = runCli(args);
            ++launched;
            const QByteArray what = QByteArray::fromStdString(c.name) + ": " + r.err;
            QVERIFY2(!r.crashed, what.constData());
            QVERIFY2(r.exitCode == 2, (what + " exit " + QByteArray::number(r.exitCode)).constData());
            QVERIFY2(r.out.isEmpty(), what.constData());
            QVERIFY2(r.err.startsWith("error: "), what.constData());
            QVERIFY2(r.err.endsWith('\n') && r.err.count('\n') == 1, what.constData());
            QVERIFY2(r.err.contains("(at byte "), what.constData());
        }
        QVERIFY(launched >= 30);
        QVERIFY(launched <= 60); // keep the suite fast: the full corpus goes through the library
    }

    void cliUsageAndMissingFiles()
    {
        QCOMPARE(runCli({QStringLiteral("info")}).exitCode, 1);
        QCOMPARE(runCli({QStringLiteral("info"), QStringLiteral("--bogus"), QStringLiteral("x.gguf")}).exitCode, 1);
        QCOMPARE(runCli({QStringLiteral("info"), QStringLiteral("a.gguf"), QStringLiteral("b.gguf")}).exitCode, 1);
        const CliResult help = runCli({QStringLiteral("info"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.startsWith("Usage: inkstone-cli info MODEL"));
        const CliResult missing = runCli({QStringLiteral("info"), QStringLiteral("/nonexistent/m.gguf")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.startsWith("error: ") && missing.err.count('\n') == 1);
        QVERIFY(missing.err.contains("/nonexistent/m.gguf"));
        QTemporaryDir dir;
        const CliResult directory = runCli({QStringLiteral("info"), dir.path()});
        QCOMPARE(directory.exitCode, 2);
        QVERIFY(directory.err.startsWith("error: ") && directory.err.count('\n') == 1);
    }

    void cliInfoReportsAWrittenModel()
    {
        GgufWriter w;
        w.setValue("general.architecture", Value::string("qwen2"));
        w.setValue("general.name", Value::string("Test Model 中文"));
        w.setValue("qwen2.context_length", Value::u32(4096));
        w.setValue("qwen2.embedding_length", Value::u32(64));
        w.setValue("qwen2.block_count", Value::u32(3));
        w.setValue("qwen2.attention.head_count", Value::u32(8));
        w.setValue("qwen2.attention.head_count_kv", Value::u32(2));
        w.setValue("qwen2.feed_forward_length", Value::u32(128));
        w.setValue("qwen2.rope.freq_base", Value::f32(1000000.0f));
        w.setValue("qwen2.attention.layer_norm_rms_epsilon", Value::f32(1e-6f));
        w.setValue("tokenizer.ggml.model", Value::string("gpt2"));
        w.setValue("tokenizer.ggml.tokens", Value::stringArray({"a", "b", "c", "d", "e"}));
        w.setValue("tokenizer.chat_template", Value::string("{{ messages }}"));
        std::vector<uint8_t> q8(2 * 34 * 3);
        std::vector<float> f(64 * 5);
        QVERIFY(w.addTensor("blk.0.attn_q.weight", quant::TensorType::Q8_0, {64, 3}, q8).ok());
        QVERIFY(w.addTensor("blk.1.attn_q.weight", quant::TensorType::Q8_0, {64, 3}, q8).ok());
        QVERIFY(w.addTensorF32("token_embd.weight", {64, 5}, f).ok());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("model.gguf"));
        QVERIFY(w.write(path.toStdString()).ok());

        const CliResult r = runCli({QStringLiteral("info"), path, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.isEmpty());
        QJsonParseError pe;
        const QJsonObject o = QJsonDocument::fromJson(r.out, &pe).object();
        QCOMPARE(pe.error, QJsonParseError::NoError);
        QCOMPARE(o.value(QStringLiteral("architecture")).toString(), QStringLiteral("qwen2"));
        QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("Test Model 中文"));
        QCOMPARE(o.value(QStringLiteral("file_size")).toInteger(), QFileInfo(path).size());
        QCOMPARE(o.value(QStringLiteral("gguf_version")).toInt(), 3);
        const QJsonObject hp = o.value(QStringLiteral("hyperparameters")).toObject();
        QCOMPARE(hp.value(QStringLiteral("context_length")).toInt(), 4096);
        QCOMPARE(hp.value(QStringLiteral("block_count")).toInt(), 3);
        QCOMPARE(hp.value(QStringLiteral("head_count_kv")).toInt(), 2);
        QCOMPARE(hp.value(QStringLiteral("rope_freq_base")).toDouble(), 1000000.0);
        QCOMPARE(hp.value(QStringLiteral("norm_rms_epsilon")).toDouble(), 1e-6);
        QVERIFY(hp.value(QStringLiteral("norm_epsilon")).isNull());
        const QJsonObject tok = o.value(QStringLiteral("tokenizer")).toObject();
        QCOMPARE(tok.value(QStringLiteral("model")).toString(), QStringLiteral("gpt2"));
        QCOMPARE(tok.value(QStringLiteral("vocab_size")).toInt(), 5);
        QCOMPARE(o.value(QStringLiteral("chat_template")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("tensor_count")).toInt(), 3);
        const QJsonObject types = o.value(QStringLiteral("tensor_types")).toObject();
        QCOMPARE(types.value(QStringLiteral("q8_0")).toInt(), 2);
        QCOMPARE(types.value(QStringLiteral("f32")).toInt(), 1);
        QCOMPARE(o.value(QStringLiteral("parameter_count")).toInteger(), qint64(64 * 3 * 2 + 64 * 5));
        QCOMPARE(o.value(QStringLiteral("tensor_data_size")).toInteger(), qint64(q8.size() * 2 + f.size() * 4));

        const CliResult text = runCli({QStringLiteral("info"), path});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("architecture:        qwen2"));
        QVERIFY(text.out.contains("chat template:       yes"));
        QVERIFY(text.out.contains("tensors:             3 (f32 1, q8_0 2)"));
    }
};

QTEST_GUILESS_MAIN(TestGgufMalformed)
#include "tst_gguf_malformed.moc"
