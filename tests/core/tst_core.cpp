#include "core/CpuFeatures.h"
#include "core/Result.h"

#include <QtTest>

class TestCore : public QObject {
    Q_OBJECT
private slots:
    void resultCarriesValueOrError()
    {
        engine::Result<int> good(42);
        QVERIFY(good.ok());
        QCOMPARE(*good, 42);

        engine::Result<int> bad(engine::makeError(engine::ErrorCode::InvalidFile, "bad magic (at byte 0)"));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, engine::ErrorCode::InvalidFile);
        QCOMPARE(QString::fromStdString(bad.error().message()), QStringLiteral("invalid file: bad magic (at byte 0)"));
    }

    void scalarCapHidesSimd()
    {
        // The fallback must be reachable on an AVX2 machine, or it is never tested.
        const engine::CpuFeatures& f = engine::cpuFeatures();
        if (qgetenv("INKSTONE_CPU") == "scalar")
            QVERIFY(!f.hasAvx2Fma());
        QVERIFY(!f.bestIsaName().empty());
    }
};

QTEST_GUILESS_MAIN(TestCore)
#include "tst_core.moc"
