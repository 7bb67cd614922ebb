// Writer -> reader round trips: every metadata value type and every tensor type with a known
// block layout comes back exactly as written, and the writer refuses what a reader would reject.

#include "gguf/GgufFile.h"
#include "gguf/GgufWriter.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include <sys/stat.h>

using namespace engine;
using namespace engine::gguf;

namespace {

// fromMemory() reads the caller's buffer in place: keep the bytes alive as long as the file.
std::unique_ptr<GgufFile> reread(const std::vector<uint8_t>& bytes)
{
    auto r = GgufFile::fromMemory(bytes);
    if (!r.ok())
        qWarning("%s", r.error().message().c_str());
    return r.ok() ? std::move(r).value() : nullptr;
}

std::vector<uint8_t> randomBytes(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<uint8_t> out(n);
    for (auto& b : out)
        b = static_cast<uint8_t>(rng());
    return out;
}

} // namespace

class TestGgufRoundTrip : public QObject {
    Q_OBJECT
private slots:
    void everyValueTypeRoundTrips()
    {
        const std::vector<std::pair<std::string, Value>> values = {
            {"t.u8", Value::u8(255)},
            {"t.i8", Value::i8(-128)},
            {"t.u16", Value::u16(65535)},
            {"t.i16", Value::i16(-32768)},
            {"t.u32", Value::u32(4294967295u)},
            {"t.i32", Value::i32(std::numeric_limits<int32_t>::min())},
            {"t.f32", Value::f32(3.14159274f)},
            {"t.f32.nan", Value::f32(std::numeric_limits<float>::quiet_NaN())},
            {"t.f32.inf", Value::f32(-std::numeric_limits<float>::infinity())},
            {"t.bool.true", Value::boolean(true)},
            {"t.bool.false", Value::boolean(false)},
            {"t.string", Value::string("plain")},
            {"t.string.empty", Value::string("")},
            {"t.string.unicode", Value::string("我们 ▁Ġ ü 🙂 \n\t\"quoted\"")},
            {"t.string.nul", Value::string(std::string("a\0b", 3))},
            {"t.u64", Value::u64(std::numeric_limits<uint64_t>::max())},
            {"t.i64", Value::i64(std::numeric_limits<int64_t>::min())},
            {"t.f64", Value::f64(2.718281828459045)},
            {"t.arr.str", Value::stringArray({"a", "", "Ġthe", "<|im_end|>", "中文"})},
            {"t.arr.f32", Value::floatArray({0.0f, -1.5f, 1e-30f})},
            {"t.arr.i32", Value::int32Array({1, -2, 3})},
            {"t.arr.empty", Value::array(ValueType::Int64, {})},
            {"t.arr.empty.str", Value::array(ValueType::String, {})},
            {"t.arr.bool", Value::array(ValueType::Bool, {Value::boolean(true), Value::boolean(false)})},
            {"t.arr.u64", Value::array(ValueType::UInt64, {Value::u64(0), Value::u64(std::numeric_limits<uint64_t>::max())})},
            {"t.arr.nested",
             Value::array(ValueType::Array,
                          {Value::int32Array({1, 2}), Value::stringArray({"x"}), Value::array(ValueType::Float64, {}),
                           Value::array(ValueType::Array, {Value::array(ValueType::UInt8, {Value::u8(7)})})})},
        };
        GgufWriter w;
        for (const auto& [k, v] : values)
            w.setValue(k, v);
        const auto bytes = w.toBytes();
        auto f = reread(bytes);
        QVERIFY(f);
        QCOMPARE(f->version(), 3u);
        QCOMPARE(f->metadata().size(), values.size());
        for (size_t i = 0; i < values.size(); ++i) {
            // In file order, with identical type and value.
            QCOMPARE(f->metadata()[i].first, values[i].first);
            QVERIFY2(f->metadata()[i].second == values[i].second, values[i].first.c_str());
            QCOMPARE(f->metadata()[i].second.type(), values[i].second.type());
        }
        QCOMPARE(*f->getInt("t.i8"), int64_t(-128));
        QVERIFY(!f->getInt("t.u64")); // does not fit in int64
        QCOMPARE(*f->find("t.u64")->toUInt(), std::numeric_limits<uint64_t>::max());
        QCOMPARE(*f->getDouble("t.f32"), double(3.14159274f));
        QVERIFY(std::isnan(*f->getDouble("t.f32.nan")));
        QCOMPARE(*f->getBool("t.bool.true"), true);
        QCOMPARE(*f->getString("t.string.unicode"), std::string("我们 ▁Ġ ü 🙂 \n\t\"quoted\""));
        QCOMPARE(f->getString("t.string.nul")->size(), size_t(3));
        QCOMPARE(f->getStringArray("t.arr.str")->at(4), std::string("中文"));
        QCOMPARE(f->getFloatArray("t.arr.f32")->at(1), -1.5f);
        QCOMPARE(f->getIntArray("t.arr.i32")->at(1), int64_t(-2));
        QVERIFY(f->getIntArray("t.arr.empty")->empty());
        const Value* nested = f->find("t.arr.nested");
        QVERIFY(nested && nested->isArray());
        QCOMPARE(nested->elementType(), ValueType::Array);
        QCOMPARE(nested->items()[3].items()[0].items()[0].toInt().value(), int64_t(7));
        QVERIFY(!f->getStringArray("t.arr.i32")); // wrong element type -> nullopt, not garbage
        QVERIFY(!f->getString("missing"));
    }

    void settingAKeyTwiceReplacesItInPlace()
    {
        GgufWriter w;
        w.setValue("a", Value::u32(1));
        w.setValue("b", Value::u32(2));
        w.setValue("a", Value::string("again"));
        const auto bytes = w.toBytes();
        auto f = reread(bytes);
        QVERIFY(f);
        QCOMPARE(f->metadata().size(), size_t(2));
        QCOMPARE(f->metadata()[0].first, std::string("a"));
        QCOMPARE(*f->getString("a"), std::string("again"));
    }

    void everyKnownTensorTypeRoundTrips()
    {
        GgufWriter w;
        std::vector<std::pair<std::string, std::vector<uint8_t>>> expected;
        int known = 0;
        for (uint32_t id = 0; id < 64; ++id) {
            const quant::TypeTraits* t = quant::traits(id);
            if (!t)
                continue;
            ++known;
            const auto type = static_cast<quant::TensorType>(id);
            const std::vector<int64_t> shape = {t->blockSize * 2, 3, 2};
            const size_t bytes = static_cast<size_t>(t->typeSize * 2 * 3 * 2);
            auto data = randomBytes(bytes, id);
            const std::string name = "t." + std::string(t->name);
            QVERIFY(w.addTensor(name, type, shape, data).ok());
            expected.emplace_back(name, std::move(data));
        }
        QVERIFY(known >= 28); // every ggml type with a defined layout, 4 and 5 excluded
        const auto bytes = w.toBytes();
        auto f = reread(bytes);
        QVERIFY(f);
        QCOMPARE(f->tensors().size(), expected.size());
        for (const auto& [name, data] : expected) {
            const TensorInfo* info = f->findTensor(name);
            QVERIFY2(info, name.c_str());
            const quant::TypeTraits& t = quant::traits(info->type);
            QCOMPARE(info->nDims, 3u);
            QCOMPARE(info->ne[0], t.blockSize * 2);
            QCOMPARE(info->ne[1], int64_t(3));
            QCOMPARE(info->ne[2], int64_t(2));
            QCOMPARE(info->ne[3], int64_t(1));
            QCOMPARE(info->byteSize, uint64_t(data.size()));
            QCOMPARE(info->offset % f->alignment(), uint64_t(0));
            const TensorView view = f->tensor(*info);
            QVERIFY(std::equal(data.begin(), data.end(), view.data));
        }
    }

    void customAlignmentIsHonoured()
    {
        for (const uint32_t align : {1u, 8u, 64u, 4096u}) {
            GgufWriter w;
            w.setValue("general.alignment", Value::u32(align));
            const float a[3] = {1, 2, 3};
            const float b[5] = {4, 5, 6, 7, 8};
            QVERIFY(w.addTensorF32("a", {3}, a).ok());
            QVERIFY(w.addTensorF32("b", {5}, b).ok());
            const auto bytes = w.toBytes();
            auto f = reread(bytes);
            QVERIFY(f);
            QCOMPARE(f->alignment(), uint64_t(align));
            QCOMPARE(f->dataOffset() % align, uint64_t(0));
            QCOMPARE(f->tensors()[1].offset % align, uint64_t(0));
            float last = 0; // with alignment 1 the data may sit at an odd address: no float* cast
            std::memcpy(&last, f->tensor("b")->data + 4 * sizeof(float), sizeof last);
            QCOMPARE(last, 8.0f);
            QCOMPARE(f->tensorDataSize(), uint64_t(32));
        }
    }

    void writerRejectsInvalidTensors()
    {
        GgufWriter w;
        const std::vector<uint8_t> q40(18);
        QVERIFY(w.addTensor("x", quant::TensorType::Q4_0, {32}, q40).ok());
        QCOMPARE(w.addTensor("x", quant::TensorType::Q4_0, {32}, q40).error().code, ErrorCode::InvalidArgument); // duplicate
        QVERIFY(!w.addTensor("y", quant::TensorType::Q4_0, {16}, q40).ok());           // not a block multiple
        QVERIFY(!w.addTensor("y", quant::TensorType::Q4_0, {32}, std::vector<uint8_t>(17)).ok()); // wrong size
        QVERIFY(!w.addTensor("y", quant::TensorType::Q4_0, {}, q40).ok());             // no dims
        QVERIFY(!w.addTensor("y", quant::TensorType::Q4_0, {32, 1, 1, 1, 1}, q40).ok()); // 5 dims
        QVERIFY(!w.addTensor("y", static_cast<quant::TensorType>(4), {32}, q40).ok()); // removed type
        QVERIFY(!w.addTensor("y", quant::TensorType::F32, {-1}, {}).ok());
        QVERIFY(!w.addTensor("", quant::TensorType::F32, {0}, {}).ok());
        GgufWriter bad;
        bad.setValue("general.alignment", Value::u32(24));
        QVERIFY(!bad.toBytesChecked().ok());
        QVERIFY(bad.toBytes().empty());
    }

    void deferredTensorsAreFilledWhileWriting()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("deferred.gguf").toStdString();
        GgufWriter w;
        w.setValue("general.architecture", Value::string("llama"));
        int fills = 0;
        auto size = w.addTensorDeferred("big", quant::TensorType::Q8_0, {64, 100}, [&](std::span<uint8_t> out) -> Result<void> {
            ++fills;
            for (size_t i = 0; i < out.size(); ++i)
                out[i] = static_cast<uint8_t>(i * 7);
            return {};
        });
        QVERIFY(size.ok());
        QCOMPARE(*size, uint64_t(2 * 34 * 100));
        QCOMPARE(fills, 0); // nothing runs before write()
        const float small[2] = {1, 2};
        QVERIFY(w.addTensorF32("small", {2}, small).ok());
        QVERIFY(w.write(path).ok());
        QCOMPARE(fills, 1);
        QVERIFY(!QFile::exists(QString::fromStdString(path + ".part")));
        auto f = GgufFile::open(path);
        QVERIFY2(f.ok(), f.ok() ? "" : f.error().message().c_str());
        QCOMPARE((*f)->path(), path);
        QCOMPARE(*(*f)->getString("general.architecture"), std::string("llama"));
        const TensorView big = *(*f)->tensor("big");
        QCOMPARE(big.info->byteSize, *size);
        for (size_t i = 0; i < big.info->byteSize; ++i)
            QCOMPARE(big.data[i], static_cast<uint8_t>(i * 7));
        QCOMPARE(reinterpret_cast<const float*>((*f)->tensor("small")->data)[1], 2.0f);
        QCOMPARE((*f)->fileSize(), uint64_t(QFileInfo(QString::fromStdString(path)).size()));
    }

    void failedWriteLeavesNoFileBehind()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("failed.gguf").toStdString();
        GgufWriter w;
        QVERIFY(w.addTensorDeferred("t", quant::TensorType::F32, {4}, [](std::span<uint8_t>) -> Result<void> {
                     return makeError(ErrorCode::Cancelled, "stopped by the test");
                 }).ok());
        const Result<void> r = w.write(path);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
        QVERIFY(!QFile::exists(QString::fromStdString(path + ".part")));

        // A directory that does not exist: an Io error naming the path, no crash.
        GgufWriter ok;
        const Result<void> r2 = ok.write(dir.filePath("missing/dir/x.gguf").toStdString());
        QVERIFY(!r2.ok());
        QCOMPARE(r2.error().code, ErrorCode::Io);
        QVERIFY(r2.error().detail.find("missing/dir/x.gguf.part") != std::string::npos);
    }

    void fullDiskIsAnErrorNotAHalfFile()
    {
        // /dev/full accepts the open and fails every write with ENOSPC; the ".part" is the
        // device itself here, so only the error matters.
        if (!QFile::exists(QStringLiteral("/dev/full")))
            QSKIP("no /dev/full on this system");
        GgufWriter w;
        std::vector<float> data(1 << 20, 1.0f);
        QVERIFY(w.addTensorF32("t", {int64_t(data.size())}, data).ok());
        QTemporaryDir dir;
        const QString link = dir.filePath(QStringLiteral("full.gguf"));
        QVERIFY(QFile::link(QStringLiteral("/dev/full"), link + QStringLiteral(".part")));
        const Result<void> r = w.write(link.toStdString());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Io);
        QVERIFY(!QFile::exists(link));
    }

    void openReportsMissingFilesAndDirectories()
    {
        auto missing = GgufFile::open("/nonexistent/model.gguf");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::Io);
        QVERIFY(missing.error().detail.find("/nonexistent/model.gguf") != std::string::npos);
        auto dir = GgufFile::open("/tmp");
        QVERIFY(!dir.ok());
        QCOMPARE(dir.error().code, ErrorCode::Io);
        // A FIFO with no writer: refused at once, not waited on.
        QTemporaryDir tmp;
        const std::string fifo = tmp.filePath(QStringLiteral("fifo.gguf")).toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        auto pipe = GgufFile::open(fifo);
        QVERIFY(!pipe.ok());
        QVERIFY(pipe.error().detail.find("not a regular file") != std::string::npos);
    }

    void displayStringsStayOnOneLine()
    {
        QCOMPARE(Value::string("a\nb").toDisplayString(), std::string("\"a\\nb\""));
        QCOMPARE(Value::int32Array({1, 2, 3}).toDisplayString(2), std::string("[1, 2, ... (3 items)]"));
        QCOMPARE(Value::boolean(true).toDisplayString(), std::string("true"));
        QCOMPARE(Value::i64(-5).toDisplayString(), std::string("-5"));
    }
};

QTEST_GUILESS_MAIN(TestGgufRoundTrip)
#include "tst_gguf_roundtrip.moc"
