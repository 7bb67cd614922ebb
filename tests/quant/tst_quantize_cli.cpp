// `inkstone-cli quantize` through the real binary: the output opens, has llama-quantize's
// per-tensor types (and bytes), dequantizes close to the master; bad usage and bad input follow
// the CLI contract (exit 1 / exit 2 with one `error:` line).

#include "gguf/GgufFile.h"
#include "gguf/GgufWriter.h"
#include "quant/Quant.h"
#include "quant/ReferenceError.h"

#include "SharedFixtures.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>

using namespace engine;
using namespace engine::quant;

namespace {

struct CliResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CliResult runCli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(INKSTONE_CLI_PATH), args);
    CliResult r;
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit)
        return r;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString typeLabel(TensorType t)
{
    return QString::fromLatin1(typeName(t).data(), static_cast<int>(typeName(t).size()));
}

// Relative RMSE of a quantized tensor against the same tensor in F32.
double relativeError(const gguf::GgufFile& file, const gguf::TensorInfo& info, const float* master)
{
    const int64_t n = info.ne[0];
    const size_t rb = static_cast<size_t>(*rowBytes(info.type, n));
    std::vector<float> row(static_cast<size_t>(n));
    double se = 0, ss = 0;
    for (int64_t r = 0; r < info.rows(); ++r) {
        dequantizeRow(info.type, file.tensor(info).data + r * rb, row.data(), n);
        for (int64_t i = 0; i < n; ++i) {
            const double x = master[r * n + i];
            se += (row[i] - x) * (row[i] - x);
            ss += x * x;
        }
    }
    return std::sqrt(se / ss);
}

bool isOneErrorLine(const QByteArray& err)
{
    return err.startsWith("error: ") && err.count('\n') == 1 && err.endsWith('\n');
}

} // namespace

class TestQuantizeCli : public QObject {
    Q_OBJECT
private slots:
    void matchesLlamaQuantize_data()
    {
        QTest::addColumn<QString>("type");
        QTest::newRow("Q8_0") << QStringLiteral("q8_0");
        QTest::newRow("Q4_K_M") << QStringLiteral("q4_k_m");
    }

    void matchesLlamaQuantize()
    {
        INKSTONE_REQUIRE_FIXTURES("llamacpp");
        QFETCH(QString, type);
        const QDir dir(testing::fixturesDir(QStringLiteral("llamacpp")));
        QTemporaryDir tmp;
        const QString out = tmp.filePath(QStringLiteral("out.gguf"));
        const CliResult r = runCli({QStringLiteral("quantize"), dir.filePath(QStringLiteral("tiny-llama-f32.gguf")), out, type.toUpper()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("output.weight"));
        QVERIFY(r.out.contains("MiB ->"));

        auto file = gguf::GgufFile::open(out.toStdString());
        QVERIFY2(file.ok(), file.ok() ? "" : file.error().message().c_str());
        auto master = gguf::GgufFile::open(dir.filePath(QStringLiteral("tiny-llama-f32.gguf")).toStdString());
        QVERIFY(master.ok());

        // Per-tensor types as llama-quantize chose them (from the fixture's JSON).
        QFile json(dir.filePath(QStringLiteral("tiny-llama-%1.json").arg(type)));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject expected = QJsonDocument::fromJson(json.readAll()).object().value(QStringLiteral("tensor_types")).toObject();
        QCOMPARE(static_cast<qsizetype>((*file)->tensors().size()), expected.size());
        for (const gguf::TensorInfo& info : (*file)->tensors()) {
            const QString name = QString::fromStdString(info.name);
            QCOMPARE(typeLabel(info.type).toUpper(), expected.value(name).toString().toUpper());
            const gguf::TensorInfo* ref = (*master)->findTensor(info.name);
            QVERIFY(ref);
            const auto* x = reinterpret_cast<const float*>((*master)->tensor(*ref).data);
            if (info.type == TensorType::F32)
                continue;
            const double err = relativeError(**file, info, x);
            QVERIFY2(err <= 1.10 * *llamaCppRelativeRmse(info.type), qPrintable(name));
        }
        QCOMPARE((*file)->getInt("general.file_type"), std::optional<int64_t>(type == QStringLiteral("q8_0") ? 7 : 15));
        QCOMPARE((*file)->getString("tokenizer.ggml.model"), (*master)->getString("tokenizer.ggml.model"));

        // And the whole file is byte for byte what llama-quantize wrote.
        QFile ours(out), theirs(dir.filePath(QStringLiteral("tiny-llama-%1.gguf").arg(type)));
        QVERIFY(ours.open(QIODevice::ReadOnly) && theirs.open(QIODevice::ReadOnly));
        QVERIFY(ours.readAll() == theirs.readAll());
    }

    // Without fixtures: a model written by our writer, with a row length that is not a multiple
    // of 256 (K-quants fall back to a 32-block type) and 1-D tensors (kept as they are).
    void fallbackAndOneDimensionalTensors()
    {
        QTemporaryDir tmp;
        const QString in = tmp.filePath(QStringLiteral("in.gguf"));
        const QString out = tmp.filePath(QStringLiteral("out.gguf"));
        gguf::GgufWriter w;
        w.setValue("general.architecture", gguf::Value::string("llama"));
        w.setValue("llama.block_count", gguf::Value::u32(1));
        w.setValue("llama.attention.head_count", gguf::Value::u32(4));
        w.setValue("llama.attention.head_count_kv", gguf::Value::u32(4));
        std::mt19937 rng(5);
        std::normal_distribution<float> dist(0.0f, 0.05f);
        auto add = [&](const std::string& name, std::vector<int64_t> shape) {
            int64_t count = 1;
            for (int64_t d : shape)
                count *= d;
            std::vector<float> data(static_cast<size_t>(count));
            for (auto& v : data)
                v = dist(rng);
            QVERIFY(w.addTensorF32(name, std::move(shape), data).ok());
        };
        add("token_embd.weight", {512, 64});
        add("blk.0.attn_norm.weight", {512});
        add("blk.0.attn_q.weight", {512, 512});
        add("blk.0.attn_v.weight", {512, 512});
        add("blk.0.ffn_down.weight", {96, 512}); // 96: not a multiple of 256
        add("output.weight", {512, 64});
        QVERIFY(w.write(in.toStdString()).ok());

        const CliResult r = runCli({QStringLiteral("quantize"), in, out, QStringLiteral("Q4_K_M"), QStringLiteral("-t"), QStringLiteral("2")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("fallback"));
        auto file = gguf::GgufFile::open(out.toStdString());
        QVERIFY(file.ok());
        auto typeOf = [&](const char* name) { return (*file)->findTensor(name)->type; };
        QCOMPARE(typeOf("token_embd.weight"), TensorType::Q4_K);
        QCOMPARE(typeOf("blk.0.attn_norm.weight"), TensorType::F32);
        QCOMPARE(typeOf("blk.0.attn_q.weight"), TensorType::Q4_K);
        QCOMPARE(typeOf("blk.0.attn_v.weight"), TensorType::Q6_K); // the only layer: use_more_bits
        // The mix wants Q6_K for the only ffn_down; 96 % 256 != 0, so it falls back to Q8_0.
        QCOMPARE(typeOf("blk.0.ffn_down.weight"), TensorType::Q8_0);
        QCOMPARE(typeOf("output.weight"), TensorType::Q6_K);
    }

    void usageErrors()
    {
        QCOMPARE(runCli({QStringLiteral("quantize"), QStringLiteral("--help")}).exitCode, 0);
        for (const QStringList& args : {QStringList{QStringLiteral("quantize")},
                                        QStringList{QStringLiteral("quantize"), QStringLiteral("a.gguf"), QStringLiteral("b.gguf")},
                                        QStringList{QStringLiteral("quantize"), QStringLiteral("a.gguf"), QStringLiteral("b.gguf"), QStringLiteral("Q9_X")},
                                        QStringList{QStringLiteral("quantize"), QStringLiteral("a.gguf"), QStringLiteral("b.gguf"), QStringLiteral("Q8_0"), QStringLiteral("--bogus")}}) {
            const CliResult r = runCli(args);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(isOneErrorLine(r.err), r.err.constData());
        }
    }

    void badInput()
    {
        QTemporaryDir tmp;
        const QString junk = tmp.filePath(QStringLiteral("junk.gguf"));
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a gguf file at all");
        f.close();
        for (const QString& in : {tmp.filePath(QStringLiteral("missing.gguf")), junk}) {
            const CliResult r = runCli({QStringLiteral("quantize"), in, tmp.filePath(QStringLiteral("o.gguf")), QStringLiteral("Q8_0")});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(isOneErrorLine(r.err), r.err.constData());
            QVERIFY(!QFile::exists(tmp.filePath(QStringLiteral("o.gguf"))));
        }
        // An already quantized model is refused (re-quantizing loses quality silently).
        gguf::GgufWriter w;
        w.setValue("general.architecture", gguf::Value::string("llama"));
        std::vector<uint8_t> q8(static_cast<size_t>(*rowBytes(TensorType::Q8_0, 64) * 8));
        QVERIFY(w.addTensor("blk.0.attn_q.weight", TensorType::Q8_0, {64, 8}, q8).ok());
        const QString quantized = tmp.filePath(QStringLiteral("q8.gguf"));
        QVERIFY(w.write(quantized.toStdString()).ok());
        const CliResult r = runCli({QStringLiteral("quantize"), quantized, tmp.filePath(QStringLiteral("o.gguf")), QStringLiteral("Q4_0")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(isOneErrorLine(r.err) && r.err.contains("already"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestQuantizeCli)
#include "tst_quantize_cli.moc"
