// Replays inputs through the fuzzer's entry point (tests/fuzz/FuzzGguf.cpp) in every build: the
// malformed corpus, the shared fixtures' vocabularies, and a fixed number of seeded random
// mutations of a valid file. Under the ASan/UBSan build this is a short fuzzing session in ctest;
// the entry point traps if the reader accepts a file that breaks its promises.

#include "GgufCorpus.h"

#include "SharedFixtures.h"

#include <QDirIterator>
#include <QtTest>

#include <random>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int replay(const std::vector<uint8_t>& bytes)
{
    // A copy of exactly the input's size, so ASan sees any read past its end.
    std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size() ? bytes.size() : 1]);
    std::copy(bytes.begin(), bytes.end(), copy.get());
    return LLVMFuzzerTestOneInput(copy.get(), bytes.size());
}

std::vector<uint8_t> mutate(std::vector<uint8_t> b, std::mt19937_64& rng)
{
    const int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits && !b.empty(); ++e) {
        const size_t at = rng() % b.size();
        switch (rng() % 6) {
        case 0: b[at] ^= uint8_t(1u << (rng() % 8)); break;           // bit flip
        case 1: b[at] = uint8_t(rng()); break;                         // random byte
        case 2: {                                                      // interesting u64
            static const uint64_t values[] = {0, 1, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                              0xffffffffffffffffull, 0xffffffffull, 64, 31, 1000};
            const uint64_t v = values[rng() % (sizeof values / sizeof values[0])];
            for (size_t i = 0; i < 8 && at + i < b.size(); ++i)
                b[at + i] = uint8_t(v >> (8 * i));
            break;
        }
        case 3: b.resize(at); break;                                   // truncate
        case 4: b.insert(b.begin() + long(at), uint8_t(rng())); break; // insert
        default: b.erase(b.begin() + long(at)); break;                 // delete
        }
    }
    return b;
}

} // namespace

class TestGgufFuzzReplay : public QObject {
    Q_OBJECT
private slots:
    void malformedCorpus()
    {
        int n = 0;
        for (const auto& c : testing::gguf::malformedCorpus()) {
            QCOMPARE(replay(c.bytes), 0);
            ++n;
        }
        QVERIFY(n > 100);
    }

    void seededMutationsOfAValidFile()
    {
        const std::vector<uint8_t> base = testing::gguf::validBaseFile();
        std::mt19937_64 rng(20261129);
        const int iterations = qEnvironmentVariableIntValue("INKSTONE_FUZZ_REPLAY_ITERATIONS") > 0
                                   ? qEnvironmentVariableIntValue("INKSTONE_FUZZ_REPLAY_ITERATIONS")
                                   : 20000;
        for (int i = 0; i < iterations; ++i)
            QCOMPARE(replay(mutate(base, rng)), 0);
    }

    void sharedVocabularies()
    {
        INKSTONE_REQUIRE_FIXTURES("vocab");
        QDirIterator it(testing::fixturesDir(QStringLiteral("vocab")), {QStringLiteral("*.gguf")}, QDir::Files);
        int n = 0;
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            QCOMPARE(replay(std::vector<uint8_t>(bytes.begin(), bytes.end())), 0);
            ++n;
        }
        QVERIFY(n > 0);
    }
};

QTEST_GUILESS_MAIN(TestGgufFuzzReplay)
#include "tst_gguf_fuzz_replay.moc"
