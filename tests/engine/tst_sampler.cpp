// The sampler and the stop-string matcher on hand-made inputs.

#include "runtime/Sampler.h"
#include "runtime/StopMatcher.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace engine;

class TestSampler : public QObject {
    Q_OBJECT
private slots:
    void greedyPicksArgmaxLowestIdOnTies()
    {
        SamplingParams p;
        p.temperature = 0.0f;
        p.topAlternatives = 2;
        Sampler s(p);
        std::vector<float> l = {0.1f, 3.0f, 3.0f, -1.0f};
        const auto c = s.sample(l, {});
        QCOMPARE(c.token, 1);
        QCOMPARE(c.alternatives.size(), size_t(2));
        QCOMPARE(c.alternatives[1].first, 2);
        QVERIFY(std::fabs(c.probability - c.alternatives[1].second) < 1e-6f);
    }

    void nanAndInfNeverCrash()
    {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        for (float temp : {0.0f, 0.8f}) {
            SamplingParams p;
            p.temperature = temp;
            p.seed = 7;
            p.topAlternatives = 3;
            Sampler s(p);
            std::vector<float> allNan(16, nan);
            const auto a = s.sample(allNan, {});
            QVERIFY(a.token >= 0 && a.token < 16);
            std::vector<float> someNan = {nan, 1.0f, nan, 2.0f};
            QCOMPARE(s.sample(someNan, {}).token == 3 || temp > 0, true);
            std::vector<float> plusInf = {0.0f, inf, 5.0f, nan};
            QCOMPARE(s.sample(plusInf, {}).token, 1);
            std::vector<float> minusInf(8, -inf);
            const auto m = s.sample(minusInf, {});
            QVERIFY(m.token >= 0 && m.token < 8);
            std::vector<float> huge = {3e38f, -3e38f, 3e38f};
            const auto h = s.sample(huge, {});
            QVERIFY(h.token == 0 || h.token == 2);
            QVERIFY(std::isfinite(h.probability));
        }
    }

    void logitBiasBansAndForces()
    {
        SamplingParams p;
        p.temperature = 0.0f;
        p.logitBias = {{0, -std::numeric_limits<float>::infinity()}, {3, 100.0f}};
        Sampler s(p);
        std::vector<float> l = {5.0f, 1.0f, 1.0f, 0.0f};
        QCOMPARE(s.sample(l, {}).token, 3);
    }

    void penaltiesDiscourageRepeats()
    {
        SamplingParams p;
        p.temperature = 0.0f;
        p.repetitionPenalty = 2.0f;
        Sampler s(p);
        std::vector<float> l = {2.0f, 1.5f};
        const std::vector<int32_t> history = {0, 0};
        QCOMPARE(s.sample(l, history).token, 1);   // 2.0 / 2 = 1.0 < 1.5
        SamplingParams q;
        q.temperature = 0.0f;
        q.frequencyPenalty = 0.4f;
        Sampler f(q);
        std::vector<float> l2 = {2.0f, 1.5f};
        QCOMPARE(f.sample(l2, history).token, 1);  // 2.0 − 2·0.4 = 1.2
    }

    void topKAndSeedAreDeterministic()
    {
        SamplingParams p;
        p.temperature = 1.0f;
        p.topK = 2;
        p.topP = 1.0f;
        p.minP = 0.0f;
        p.seed = 5;
        Sampler a(p), b(p);
        for (int i = 0; i < 50; ++i) {
            std::vector<float> la = {1.0f, 0.9f, 0.8f, 5.0f - 10.0f};
            std::vector<float> lb = la;
            const auto ca = a.sample(la, {});
            QCOMPARE(ca.token, b.sample(lb, {}).token);
            QVERIFY(ca.token == 0 || ca.token == 1);   // top-k 2 keeps only the two best
        }
    }

    void minPDropsUnlikely()
    {
        SamplingParams p;
        p.temperature = 1.0f;
        p.topK = 0;
        p.topP = 1.0f;
        p.minP = 0.5f;
        p.seed = 3;
        Sampler s(p);
        for (int i = 0; i < 50; ++i) {
            std::vector<float> l = {2.0f, 0.0f, 1.9f};
            QVERIFY(s.sample(l, {}).token != 1);   // p(1)/p(0) = e^-2 < 0.5
        }
    }

    void stopMatcherAcrossPieces()
    {
        StopMatcher m({"<END>", "xyz"});
        QCOMPARE(QString::fromStdString(m.push("hello <")), QStringLiteral("hello "));
        QCOMPARE(QString::fromStdString(m.push("EN")), QString());
        QCOMPARE(QString::fromStdString(m.push("X")), QStringLiteral("<ENX"));   // not a stop after all
        QVERIFY(!m.stopped());
        QCOMPARE(QString::fromStdString(m.push(" a<E")), QStringLiteral(" a"));
        QCOMPARE(QString::fromStdString(m.push("ND> more")), QString());
        QVERIFY(m.stopped());
        QCOMPARE(QString::fromStdString(m.flush()), QString());
        StopMatcher n({"stop"});
        QCOMPARE(QString::fromStdString(n.push("st")), QString());
        QCOMPARE(QString::fromStdString(n.flush()), QStringLiteral("st"));
    }
};

QTEST_GUILESS_MAIN(TestSampler)
#include "tst_sampler.moc"
