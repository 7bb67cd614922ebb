// Conformance: every GGUF under ../shared/fixtures (written by llama.cpp's own tools) opens, and
// its metadata, tensor names, types and shapes are what the fixture's JSON states.

#include "gguf/GgufFile.h"

#include "SharedFixtures.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace engine;
using namespace engine::gguf;

namespace {

QStringList ggufFilesUnder(const QString& dir)
{
    QStringList out;
    QDirIterator it(dir, {QStringLiteral("*.gguf")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << it.next();
    out.sort();
    return out;
}

} // namespace

class TestGgufFixtures : public QObject {
    Q_OBJECT
private slots:
    void everyFixtureOpens_data()
    {
        QTest::addColumn<QString>("path");
        for (const char* sub : {"llamacpp", "vocab"}) {
            if (!testing::haveFixtures(QString::fromLatin1(sub)))
                continue;
            for (const QString& p : ggufFilesUnder(testing::fixturesDir(QString::fromLatin1(sub))))
                QTest::newRow(qPrintable(QFileInfo(p).fileName())) << p;
        }
    }
    void everyFixtureOpens()
    {
        INKSTONE_REQUIRE_FIXTURES("llamacpp");
        QFETCH(QString, path);
        auto f = GgufFile::open(path.toStdString());
        QVERIFY2(f.ok(), f.ok() ? "" : f.error().message().c_str());
        QVERIFY((*f)->version() == 2 || (*f)->version() == 3);
        QVERIFY(!(*f)->architecture().empty());
        // llama.cpp lays tensors out back to back: the data section ends within one alignment
        // of the file's end.
        // Vocabulary-only files have no tensors and may end before the aligned data offset.
        if ((*f)->tensors().empty())
            return;
        uint64_t end = (*f)->dataOffset();
        for (const TensorInfo& t : (*f)->tensors())
            end = std::max(end, (*f)->dataOffset() + t.offset + t.byteSize);
        QVERIFY(end <= (*f)->fileSize());
        QVERIFY((*f)->fileSize() - end < (*f)->alignment());
    }

    void tensorsMatchTheFixtureJson_data()
    {
        QTest::addColumn<QString>("json");
        if (!testing::haveFixtures(QStringLiteral("llamacpp")))
            return;
        QDirIterator it(testing::fixturesDir(QStringLiteral("llamacpp")), {QStringLiteral("*.json")}, QDir::Files);
        QStringList files;
        while (it.hasNext())
            files << it.next();
        files.sort();
        for (const QString& p : files)
            QTest::newRow(qPrintable(QFileInfo(p).fileName())) << p;
    }
    void tensorsMatchTheFixtureJson()
    {
        INKSTONE_REQUIRE_FIXTURES("llamacpp");
        QFETCH(QString, json);
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(jf.readAll()).object();
        QVERIFY(doc.contains(QStringLiteral("model_file")));
        const QString model = QFileInfo(json).dir().filePath(doc.value(QStringLiteral("model_file")).toString());
        auto opened = GgufFile::open(model.toStdString());
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message().c_str());
        const GgufFile& f = **opened;

        if (doc.contains(QStringLiteral("model_bytes")))
            QCOMPARE(f.fileSize(), uint64_t(doc.value(QStringLiteral("model_bytes")).toInteger()));

        const QJsonObject types = doc.value(QStringLiteral("tensor_types")).toObject();
        const QJsonObject shapes = doc.value(QStringLiteral("tensor_shapes_ggml")).toObject();
        QVERIFY(!types.isEmpty());
        QCOMPARE(f.tensors().size(), size_t(types.size()));
        for (auto it = types.begin(); it != types.end(); ++it) {
            const std::string name = it.key().toStdString();
            const TensorInfo* t = f.findTensor(name);
            QVERIFY2(t, name.c_str());
            QCOMPARE(QString::fromLatin1(quant::typeName(t->type)).toUpper(), it.value().toString().toUpper());
            const QJsonArray shape = shapes.value(it.key()).toArray();
            QVERIFY2(!shape.isEmpty(), name.c_str());
            QCOMPARE(t->nDims, uint32_t(shape.size()));
            for (int d = 0; d < shape.size(); ++d)
                QCOMPARE(t->ne[d], int64_t(shape[d].toInteger()));
        }

        // Metadata: every scalar the JSON records (GGUF.* are header fields, not keys).
        const QJsonObject meta = doc.value(QStringLiteral("metadata")).toObject();
        QVERIFY(!meta.isEmpty());
        for (auto it = meta.begin(); it != meta.end(); ++it) {
            const std::string key = it.key().toStdString();
            if (it.key() == QLatin1String("GGUF.version")) {
                QCOMPARE(f.version(), uint32_t(it.value().toInt()));
                continue;
            }
            if (it.key() == QLatin1String("GGUF.tensor_count")) {
                QCOMPARE(f.tensors().size(), size_t(it.value().toInteger()));
                continue;
            }
            if (it.key() == QLatin1String("GGUF.kv_count")) {
                QCOMPARE(f.metadata().size(), size_t(it.value().toInteger()));
                continue;
            }
            const Value* v = f.find(key);
            QVERIFY2(v, key.c_str());
            const QJsonValue expected = it.value();
            if (expected.isString()) {
                QVERIFY2(v->asString(), key.c_str());
                QCOMPARE(QString::fromStdString(*v->asString()), expected.toString());
            } else if (expected.isBool()) {
                QCOMPARE(v->toBool().value_or(!expected.toBool()), expected.toBool());
            } else if (expected.isDouble()) {
                QVERIFY2(v->toDouble(), key.c_str());
                QCOMPARE(*v->toDouble(), expected.toDouble());
            } else if (expected.isArray()) {
                QVERIFY2(v->isArray(), key.c_str());
                QCOMPARE(v->size(), size_t(expected.toArray().size()));
            }
        }
    }

    void vocabulariesLoadInMilliseconds()
    {
        // A 150k-token vocabulary (qwen2) must not make opening a model slow: the reader is on the
        // path of every `info`, `tokenize` and model load. Reported, not asserted as a timing.
        INKSTONE_REQUIRE_FIXTURES("vocab");
        for (const QString& p : ggufFilesUnder(testing::fixturesDir(QStringLiteral("vocab")))) {
            QElapsedTimer timer;
            timer.start();
            auto f = GgufFile::open(p.toStdString());
            const qint64 us = timer.nsecsElapsed() / 1000;
            QVERIFY2(f.ok(), f.ok() ? "" : f.error().message().c_str());
            const auto tokens = (*f)->getStringArray("tokenizer.ggml.tokens");
            QVERIFY(tokens && !tokens->empty());
            qInfo("%s: %zu tokens, opened in %lld us", qPrintable(QFileInfo(p).fileName()), tokens->size(), us);
        }
    }
};

QTEST_GUILESS_MAIN(TestGgufFixtures)
#include "tst_gguf_fixtures.moc"
