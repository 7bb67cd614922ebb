// The engine worker's per-pane sessions over one model: each origin keeps its own KV cache, at
// most maxSessions live (the least recently used goes), and the budget arithmetic.

#include "../engine/TinyModel.h"

#include "KvCacheSize.h"
#include "SessionPool.h"

#include "runtime/Model.h"
#include "runtime/Session.h"

#include <QTemporaryDir>
#include <QTest>

#include <vector>

class TestSessionPool : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        testing::TinyModelOptions options;
        options.contextLength = kContext;
        m_path = m_dir.filePath(QStringLiteral("tiny.gguf"));
        QVERIFY(testing::writeTinyModel(m_path.toStdString(), options));
        auto model = engine::Model::load(m_path.toStdString());
        QVERIFY(model);
        m_model = model.value();
    }

    void kvCacheSizeFollowsTheMetadata()
    {
        const qint64 headDim = testing::kTinyEmbd / testing::kTinyHeads;
        const qint64 expected = qint64(testing::kTinyLayers) * kContext * testing::kTinyHeadsKv * (2 * headDim) * 2;
        QCOMPARE(kvCacheBytesPerSession(m_path, kContext), expected);
        QCOMPARE(kvCacheBytesPerSession(m_path, 2 * kContext), 2 * expected);
        QCOMPARE(kvCacheBytesPerSession(m_dir.filePath(QStringLiteral("missing.gguf")), kContext), qint64(0));
    }

    void sessionsWithinABudget()
    {
        const qint64 mib = qint64(1) << 20;
        QCOMPARE(SessionPool::sessionsWithin(1024 * mib, 224 * mib, 4), 4);
        QCOMPARE(SessionPool::sessionsWithin(1024 * mib, 300 * mib, 4), 3);
        QCOMPARE(SessionPool::sessionsWithin(1024 * mib, 2048 * mib, 4), 1); // never none
        QCOMPARE(SessionPool::sessionsWithin(1024 * mib, 0, 4), 4);          // size unknown
    }

    void eachOriginKeepsItsOwnCache()
    {
        SessionPool pool(m_model, 4, 4);
        QCOMPARE(pool.liveSessions(), 0); // created on first use
        fill(pool, 0, {1, 2, 3});
        fill(pool, 1, {4, 5});
        QCOMPARE(pool.liveSessions(), 2);
        QCOMPARE(cached(pool, 0), (std::vector<int32_t>{1, 2, 3}));
        QCOMPARE(cached(pool, 1), (std::vector<int32_t>{4, 5}));
    }

    void theLeastRecentlyUsedGoesWhenFull()
    {
        SessionPool pool(m_model, 4, 2);
        fill(pool, 0, {1, 2, 3});
        fill(pool, 1, {4, 5});
        QCOMPARE(cached(pool, 0), (std::vector<int32_t>{1, 2, 3})); // 0 is now the most recent
        fill(pool, 2, {6});                                          // 1 goes
        QCOMPARE(pool.liveSessions(), 2);
        QCOMPARE(cached(pool, 0), (std::vector<int32_t>{1, 2, 3}));
        QCOMPARE(cached(pool, 2), (std::vector<int32_t>{6}));
        QCOMPARE(cached(pool, 1), std::vector<int32_t>{}); // a fresh session: reads its prompt again
        QCOMPARE(pool.liveSessions(), 2);
    }

private:
    static constexpr int kContext = 256;

    static void fill(SessionPool& pool, int origin, const std::vector<int32_t>& tokens)
    {
        auto session = pool.acquire(origin);
        QVERIFY(session);
        const int32_t last = int32_t(tokens.size()) - 1;
        QVERIFY(session.value()->evaluate(tokens, std::vector<int32_t>{last}));
    }

    static std::vector<int32_t> cached(SessionPool& pool, int origin)
    {
        auto session = pool.acquire(origin);
        if (!session)
            return {-1};
        const auto tokens = session.value()->cachedTokens();
        return {tokens.begin(), tokens.end()};
    }

    QTemporaryDir m_dir;
    QString m_path;
    std::shared_ptr<engine::Model> m_model;
};

QTEST_MAIN(TestSessionPool)
#include "tst_sessionpool.moc"
