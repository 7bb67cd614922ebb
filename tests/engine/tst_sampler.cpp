// The sampler and the stop-string matcher on hand-made inputs.

#include "runtime/Sampler.h"
#include "runtime/StopMatcher.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

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

    // A large vocabulary: top-k keeps exactly the k best (lowest ids on ties), and top-p with
    // top-k off draws only from the smallest best-first prefix reaching p.
    void largeVocabularyFilters()
    {
        std::mt19937 rng(11);
        std::normal_distribution<float> normal(0.0f, 3.0f);
        std::vector<float> base(50000);
        for (float& x : base)
            x = normal(rng);
        base[123] = std::numeric_limits<float>::quiet_NaN();
        std::vector<int32_t> order(base.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = static_cast<int32_t>(i);
        std::vector<float> key = base;
        key[123] = -std::numeric_limits<float>::infinity();
        std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return key[a] > key[b]; });

        SamplingParams k;
        k.temperature = 50.0f;   // nearly uniform over what the filters keep
        k.topK = 7;
        k.topP = 1.0f;
        k.minP = 0.0f;
        k.seed = 1;
        Sampler topK(k);
        const std::set<int32_t> best7(order.begin(), order.begin() + 7);
        std::set<int32_t> seen;
        for (int i = 0; i < 300; ++i) {
            std::vector<float> l = base;
            const int32_t t = topK.sample(l, {}).token;
            QVERIFY(best7.count(t));
            seen.insert(t);
        }
        QCOMPARE(seen.size(), size_t(7));

        std::vector<float> ties(1000, 0.5f);
        SamplingParams kt = k;
        kt.topK = 3;
        Sampler tied(kt);
        for (int i = 0; i < 50; ++i) {
            std::vector<float> l = ties;
            QVERIFY(tied.sample(l, {}).token < 3);
        }

        SamplingParams tp;
        tp.temperature = 1.0f;
        tp.topK = 0;
        tp.topP = 0.5f;
        tp.minP = 0.0f;
        tp.seed = 2;
        Sampler topP(tp);
        double maxLogit = key[order[0]], sum = 0.0;
        for (float x : key)
            sum += std::exp(static_cast<double>(x) - maxLogit);
        size_t prefix = 0;
        for (double cum = 0.0; cum < 0.5; ++prefix)
            cum += std::exp(static_cast<double>(key[order[prefix]]) - maxLogit) / sum;
        const std::set<int32_t> nucleus(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(prefix));
        QVERIFY(prefix > 64);   // past the first sorted chunk
        for (int i = 0; i < 100; ++i) {
            std::vector<float> l = base;
            QVERIFY(nucleus.count(topP.sample(l, {}).token));
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
