// The runtime on a tiny model written by our own GgufWriter: golden greedy and seeded decodes,
// prefix reuse, stop strings, cancellation, context policies, and clear errors for bad input.

#include "TinyModel.h"

#include "model/Backend.h"
#include "runtime/Model.h"
#include "runtime/Session.h"
#include "tokenizer/Tokenizer.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace engine;

namespace {

struct Run {
    std::vector<int32_t> ids;
    std::string text;
    GenerationStats stats;
};

Run generate(Session& s, const std::vector<int32_t>& prompt, const SamplingParams& p, const std::atomic<bool>* cancelFlag = nullptr)
{
    static std::atomic<bool> never{false};
    Run run;
    auto r = s.generate(prompt, p, [&](const TokenEvent& e) {
        if (e.token >= 0)
            run.ids.push_back(e.token);
        run.text += e.text;
        return true;
    }, cancelFlag ? *cancelFlag : never);
    if (!r.ok())
        qWarning() << "generate failed:" << r.error().message().c_str();
    if (r.ok())
        run.stats = *r;
    return run;
}

QString idsString(const std::vector<int32_t>& ids)
{
    QStringList parts;
    for (int32_t id : ids)
        parts << QString::number(id);
    return parts.join(QLatin1Char(','));
}

} // namespace

class TestRuntime : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("tiny.gguf")).toStdString();
        QVERIFY(testing::writeTinyModel(m_path));
        LoadOptions o;
        o.threads = 2;
        o.contextLength = 96;
        auto m = Model::load(m_path, o);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        m_model = *m;
        m_prompt = m_model->tokenizer().encode("the cat sat in the hat", false, false);
        m_prompt.insert(m_prompt.begin(), testing::kTinyBos);
    }

    void modelInfo()
    {
        const ModelInfo& i = m_model->info();
        QCOMPARE(QString::fromStdString(i.architecture), QStringLiteral("llama"));
        QCOMPARE(i.contextLength, 96);
        QCOMPARE(i.trainedContextLength, 128);
        QCOMPARE(i.vocabularySize, testing::kTinyVocab);
        QCOMPARE(i.eosId, testing::kTinyEos);
        QVERIFY(QString::fromStdString(i.backendDescription).startsWith(QStringLiteral("CPU")));
    }

    // Golden: greedy decoding of this file must give these ids (recorded from this engine; a
    // change means the numerics changed, which must be deliberate and re-checked by conformance).
    void goldenGreedy()
    {
        auto s = Session::create(m_model);
        QVERIFY(s.ok());
        SamplingParams p;
        p.temperature = 0.0f;
        p.maxTokens = 12;
        const Run run = generate(**s, m_prompt, p);
        QCOMPARE(run.stats.stopReason, StopReason::MaxTokens);
        QCOMPARE(idsString(run.ids), QStringLiteral("72,175,175,175,175,221,60,74,166,221,60,222"));
    }

    void goldenSeeded()
    {
        SamplingParams p;
        p.temperature = 0.9f;
        p.topK = 50;
        p.topP = 0.95f;
        p.minP = 0.02f;
        p.seed = 1234;
        p.maxTokens = 12;
        auto s1 = Session::create(m_model);
        auto s2 = Session::create(m_model);
        const Run a = generate(**s1, m_prompt, p);
        const Run b = generate(**s2, m_prompt, p);
        QCOMPARE(idsString(a.ids), idsString(b.ids));   // same seed, same settings: same text
        QCOMPARE(idsString(a.ids), QStringLiteral("234,169,182,88,222,4,101,38,223,237,155,161"));
        p.seed = 99;
        const Run c = generate(**s1, m_prompt, p);
        QVERIFY(idsString(c.ids) != idsString(a.ids));
    }

    void prefixReuse()
    {
        auto s = Session::create(m_model);
        QVERIFY(s.ok());
        SamplingParams p;
        p.temperature = 0.0f;
        p.maxTokens = 6;
        const Run first = generate(**s, m_prompt, p);
        QCOMPARE(first.stats.reusedTokens, 0);
        QCOMPARE(first.stats.prefillTokens, int(m_prompt.size()));

        // The follow-up: the first prompt, the reply, then new user text.
        std::vector<int32_t> second = m_prompt;
        second.insert(second.end(), first.ids.begin(), first.ids.end());
        const std::vector<int32_t> more = m_model->tokenizer().encode(" and then", false, false);
        second.insert(second.end(), more.begin(), more.end());
        // The cache holds the prompt and all reply tokens except the last (never fed back).
        const int cached = int(m_prompt.size() + first.ids.size() - 1);
        QCOMPARE(int((*s)->cachedTokens().size()), cached);
        const Run followUp = generate(**s, second, p);
        QCOMPARE(followUp.stats.reusedTokens, cached);
        QCOMPARE(followUp.stats.prefillTokens, int(second.size()) - cached);

        // Its logits equal a from-scratch run's.
        const int32_t lastRow = int32_t(second.size() - 1);
        auto reused = (*s)->evaluate(second, {&lastRow, 1});
        auto fresh = Session::create(m_model);
        auto scratch = (*fresh)->evaluate(second, {&lastRow, 1});
        QVERIFY(reused.ok() && scratch.ok());
        float maxDiff = 0.0f;
        for (size_t i = 0; i < reused->size(); ++i)
            maxDiff = std::max(maxDiff, std::fabs((*reused)[i] - (*scratch)[i]));
        QVERIFY2(maxDiff <= 1e-5f, qPrintable(QString::number(maxDiff)));
        // And the generated continuation is the same.
        auto fresh2 = Session::create(m_model);
        const Run again = generate(**fresh2, second, p);
        QCOMPARE(idsString(again.ids), idsString(followUp.ids));
    }

    // The last layer runs only the rows whose logits are asked for (the others stop after
    // attention): asking for a few rows gives the same logits as asking for all of them, and
    // the keys and values of the skipped rows are still cached (the follow-up reuses them).
    void someRowsEqualAllRows()
    {
        std::vector<int32_t> all(m_prompt.size());
        for (size_t i = 0; i < all.size(); ++i)
            all[i] = int32_t(i);
        const std::vector<int32_t> some = {1, int32_t(m_prompt.size() - 1)};
        auto full = Session::create(m_model);
        auto part = Session::create(m_model);
        auto a = (*full)->evaluate(m_prompt, all);
        auto b = (*part)->evaluate(m_prompt, some);
        QVERIFY(a.ok() && b.ok());
        const size_t vocab = a->size() / all.size();
        QCOMPARE(b->size(), some.size() * vocab);
        float maxDiff = 0.0f;
        for (size_t k = 0; k < some.size(); ++k)
            for (size_t i = 0; i < vocab; ++i)
                maxDiff = std::max(maxDiff, std::fabs((*b)[k * vocab + i] - (*a)[size_t(some[k]) * vocab + i]));
        QVERIFY2(maxDiff <= 1e-5f, qPrintable(QString::number(maxDiff)));

        // No rows at all: the cache is still filled, and the next token's logits match.
        auto none = Session::create(m_model);
        QVERIFY((*none)->evaluate(m_prompt, {}).ok());
        std::vector<int32_t> longer = m_prompt;
        longer.push_back(m_prompt[1]);
        const int32_t last = int32_t(longer.size() - 1);
        auto c = (*none)->evaluate(longer, {&last, 1});
        auto d = (*full)->evaluate(longer, {&last, 1});
        QVERIFY(c.ok() && d.ok());
        maxDiff = 0.0f;
        for (size_t i = 0; i < c->size(); ++i)
            maxDiff = std::max(maxDiff, std::fabs((*c)[i] - (*d)[i]));
        QVERIFY2(maxDiff <= 1e-5f, qPrintable(QString::number(maxDiff)));
    }

    void stopStringsAreNeverShown()
    {
        auto s = Session::create(m_model);
        SamplingParams p;
        p.temperature = 0.0f;
        p.maxTokens = 24;
        const Run full = generate(**s, m_prompt, p);
        QVERIFY(full.text.size() >= 6);
        // A stop string that spans whatever token boundaries fall in the middle of the text.
        const std::string stop = full.text.substr(full.text.size() / 2, 3);
        p.stopStrings = {stop};
        (*s)->reset();
        const Run cut = generate(**s, m_prompt, p);
        QCOMPARE(cut.stats.stopReason, StopReason::StopString);
        QCOMPARE(QByteArray::fromStdString(cut.text), QByteArray::fromStdString(full.text.substr(0, full.text.find(stop))));
    }

    void cancelStops()
    {
        auto s = Session::create(m_model);
        std::atomic<bool> cancel{true};
        SamplingParams p;
        p.maxTokens = 10;
        const Run run = generate(**s, m_prompt, p, &cancel);
        QCOMPARE(run.stats.stopReason, StopReason::Cancelled);
        QVERIFY(run.ids.empty());
        QCOMPARE(run.stats.generatedTokens, 0);
    }

    void cancelDuringGeneration()
    {
        // Stop pressed while the first token is shown: the next forward pass notices it (the
        // flag is checked before every layer) and generation ends cleanly.
        auto s = Session::create(m_model);
        std::atomic<bool> cancel{false};
        SamplingParams p;
        p.temperature = 0.0f;
        p.maxTokens = 50;
        int events = 0;
        auto r = (*s)->generate(m_prompt, p, [&](const TokenEvent& e) {
            if (e.token >= 0)
                ++events;
            cancel.store(true);
            return true;
        }, cancel);
        QVERIFY(r.ok());
        QCOMPARE(r->stopReason, StopReason::Cancelled);
        QCOMPARE(r->generatedTokens, 1);
        QCOMPARE(events, 1);
        // The cache still holds the prompt, so the next turn reuses it.
        QCOMPARE(int((*s)->cachedTokens().size()), int(m_prompt.size()));
    }

    void promptLongerThanContext()
    {
        auto s = Session::create(m_model);
        std::vector<int32_t> longPrompt(200, 104);
        std::atomic<bool> cancel{false};
        auto r = (*s)->generate(longPrompt, SamplingParams{}, [](const TokenEvent&) { return true; }, cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::ContextFull);
        QVERIFY(QString::fromStdString(r.error().detail).contains(QStringLiteral("200")));
        auto bad = (*s)->generate(std::vector<int32_t>{5, 9999}, SamplingParams{}, [](const TokenEvent&) { return true; }, cancel);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::InvalidArgument);
    }

    void contextFullPolicies()
    {
        SamplingParams p;
        p.temperature = 0.0f;
        p.maxTokens = 200;
        p.ignoreEos = true;
        {   // Stop: generation ends at the context's end with a reason, not corruption.
            auto s = Session::create(m_model);
            const Run run = generate(**s, m_prompt, p);
            QCOMPARE(run.stats.stopReason, StopReason::ContextFull);
            QCOMPARE(run.stats.contextUsed, 96);
        }
        {   // Shift: keeps going past the context, dropping old tokens after the kept start.
            LoadOptions o;
            o.threads = 2;
            o.contextLength = 48;
            o.contextPolicy = ContextPolicy::Shift;
            o.keepTokens = 4;
            auto m = Model::load(m_path, o);
            QVERIFY(m.ok());
            auto s = Session::create(*m);
            p.maxTokens = 100;
            const Run run = generate(**s, m_prompt, p);
            QCOMPARE(run.stats.stopReason, StopReason::MaxTokens);
            QCOMPARE(run.stats.generatedTokens, 100);
            QVERIFY(run.stats.contextShifts > 0);
            const auto cached = (*s)->cachedTokens();
            QVERIFY(cached.size() <= 48);
            for (int i = 0; i < 4; ++i)
                QCOMPARE(cached[i], m_prompt[i]);   // the kept start survives
        }
    }

    // The context shift moves cache cells and re-rotates their keys instead of processing the
    // rest again. In a one-layer model a cell's key and value depend only on its token and
    // position, so after the shift the cache must equal a fresh run of the shortened sequence:
    // the next token's logits agree (exactly up to rounding with an F32 cache, up to the F16
    // re-rounding of the keys with an F16 one), for RoPE in both layouts.
    void contextShiftMovesCells_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("kv");
        QTest::addColumn<float>("tolerance");
        QTest::newRow("llama f32") << "llama" << int(KvCacheType::F32) << 1e-4f;
        QTest::newRow("llama f16") << "llama" << int(KvCacheType::F16) << 5e-3f;
        QTest::newRow("qwen2 (neox) f32") << "qwen2" << int(KvCacheType::F32) << 1e-4f;
    }

    void contextShiftMovesCells()
    {
        QFETCH(QString, arch);
        QFETCH(int, kv);
        QFETCH(float, tolerance);
        testing::TinyModelOptions opt;
        opt.architecture = arch.toStdString();
        opt.layers = 1;
        const std::string path = m_dir.filePath(QStringLiteral("one-layer-%1.gguf").arg(arch)).toStdString();
        QVERIFY(testing::writeTinyModel(path, opt));
        LoadOptions o;
        o.threads = 2;
        o.contextLength = 64;
        auto m = Model::load(path, o);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        const int vocab = (*m)->info().vocabularySize;
        std::vector<int32_t> tokens(40);
        for (size_t i = 0; i < tokens.size(); ++i)
            tokens[i] = int32_t((i * 37 + 11) % 256);
        const int keep = 5, drop = 12;
        const int32_t next = 101, row = 0;

        auto a = (*m)->backend().createContext(64, KvCacheType(kv));
        auto b = (*m)->backend().createContext(64, KvCacheType(kv));
        QVERIFY(a.ok() && b.ok());
        std::vector<float> la(vocab), lb(vocab);
        QVERIFY((*a)->forward(tokens, 0, {}, la.data(), nullptr).ok());
        QVERIFY((*a)->removeCells(keep, drop, int(tokens.size())).ok());
        QVERIFY((*a)->forward({&next, 1}, int(tokens.size()) - drop, {&row, 1}, la.data(), nullptr).ok());

        std::vector<int32_t> shortened(tokens.begin(), tokens.begin() + keep);
        shortened.insert(shortened.end(), tokens.begin() + keep + drop, tokens.end());
        shortened.push_back(next);
        const int32_t lastRow = int32_t(shortened.size() - 1);
        QVERIFY((*b)->forward(shortened, 0, {&lastRow, 1}, lb.data(), nullptr).ok());
        float maxDiff = 0.0f, maxLogit = 0.0f;
        for (int i = 0; i < vocab; ++i) {
            maxDiff = std::max(maxDiff, std::fabs(la[i] - lb[i]));
            maxLogit = std::max(maxLogit, std::fabs(lb[i]));
        }
        qInfo("max |difference| %.2e (max |logit| %.2f)", maxDiff, maxLogit);
        QVERIFY2(maxDiff <= tolerance, qPrintable(QString::number(maxDiff)));

        // Ranges outside the cache are refused.
        QCOMPARE((*a)->removeCells(10, 30, 20).error().code, ErrorCode::InvalidArgument);
        QCOMPARE((*a)->removeCells(0, 1, 65).error().code, ErrorCode::InvalidArgument);
    }

    // A chat longer than the context comes back each turn as the whole conversation, which the
    // session cuts to the kept start plus its recent part. After a shift the cache holds an
    // earlier window of the same conversation: its cells are moved, not processed again. In a
    // one-layer model the result must equal a fresh session given the same prompt.
    void longChatReusesTheShiftedWindow()
    {
        testing::TinyModelOptions opt;
        opt.layers = 1;
        const std::string path = m_dir.filePath(QStringLiteral("one-layer-chat.gguf")).toStdString();
        QVERIFY(testing::writeTinyModel(path, opt));
        LoadOptions o;
        o.threads = 2;
        o.contextLength = 48;
        o.contextPolicy = ContextPolicy::Shift;
        o.keepTokens = 4;
        o.kvCacheType = KvCacheType::F32;
        auto m = Model::load(path, o);
        QVERIFY(m.ok());
        SamplingParams p;
        p.temperature = 0.0f;
        p.ignoreEos = true;
        p.maxTokens = 20;
        std::vector<int32_t> turn1(40);
        for (size_t i = 0; i < turn1.size(); ++i)
            turn1[i] = int32_t((i * 53 + 7) % 256);
        auto chat = Session::create(*m);
        const Run first = generate(**chat, turn1, p);
        QCOMPARE(first.stats.generatedTokens, 20);
        QVERIFY(first.stats.contextShifts > 0);   // the reply overflowed the context

        std::vector<int32_t> turn2 = turn1;
        turn2.insert(turn2.end(), first.ids.begin(), first.ids.end());
        for (int i = 0; i < 10; ++i)
            turn2.push_back(int32_t(200 + i));
        p.maxTokens = 6;
        const Run second = generate(**chat, turn2, p);
        // 70 tokens cut to 4 + 33: the old window supplies most of the 33.
        QVERIFY2(second.stats.reusedTokens > 20, qPrintable(QString::number(second.stats.reusedTokens)));
        QCOMPARE(second.stats.reusedTokens + second.stats.prefillTokens, 37);
        qInfo("second turn: %d tokens reused, %d processed", second.stats.reusedTokens, second.stats.prefillTokens);

        auto fresh = Session::create(*m);
        const Run again = generate(**fresh, turn2, p);
        QCOMPARE(again.stats.reusedTokens, 0);
        QCOMPARE(idsString(second.ids), idsString(again.ids));
    }

    void badModels_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("skip");
        QTest::addColumn<QString>("badShape");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("mention");
        QTest::newRow("unsupported arch") << "mamba" << "" << "" << int(ErrorCode::Unsupported) << "mamba";
        QTest::newRow("missing tensor") << "llama" << "blk.1.ffn_down.weight" << "" << int(ErrorCode::MissingKey) << "blk.1.ffn_down.weight";
        QTest::newRow("wrong shape") << "llama" << "" << "blk.0.attn_k.weight" << int(ErrorCode::InvalidFile) << "blk.0.attn_k.weight";
    }

    void badModels()
    {
        QFETCH(QString, arch);
        QFETCH(QString, skip);
        QFETCH(QString, badShape);
        QFETCH(int, code);
        QFETCH(QString, mention);
        testing::TinyModelOptions o;
        o.architecture = arch.toStdString();
        o.skipTensor = skip.toStdString();
        o.badShapeTensor = badShape.toStdString();
        const std::string path = m_dir.filePath(QStringLiteral("bad.gguf")).toStdString();
        QVERIFY(testing::writeTinyModel(path, o));
        auto m = Model::load(path);
        QVERIFY(!m.ok());
        QCOMPARE(int(m.error().code), code);
        QVERIFY2(QString::fromStdString(m.error().detail).contains(mention), m.error().detail.c_str());
    }

    void quantizedModelRuns()
    {
        testing::TinyModelOptions o;
        o.matrixType = quant::TensorType::Q8_0;
        const std::string path = m_dir.filePath(QStringLiteral("q8.gguf")).toStdString();
        QVERIFY(testing::writeTinyModel(path, o));
        LoadOptions lo;
        lo.threads = 2;
        auto m = Model::load(path, lo);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(QString::fromStdString((*m)->info().fileType), QStringLiteral("q8_0"));
        auto s = Session::create(*m);
        SamplingParams p;
        p.temperature = 0.0f;
        p.maxTokens = 12;
        const Run q = generate(**s, m_prompt, p);
        auto sf = Session::create(m_model);
        const Run f = generate(**sf, m_prompt, p);
        QCOMPARE(q.ids.size(), size_t(12));
        // Q8_0 is close to F32: the first token at least agrees.
        QCOMPARE(q.ids.front(), f.ids.front());
    }

    // Prefill progress: chunks of Session::kPrefillChunk, counts rising to the tokens actually
    // prefilled (only the new ones after prefix reuse), and the same result as without it.
    void prefillProgress()
    {
        const std::string path = m_dir.filePath(QStringLiteral("long.gguf")).toStdString();
        testing::TinyModelOptions opts;
        opts.contextLength = 512;
        QVERIFY(testing::writeTinyModel(path, opts));
        LoadOptions o;
        o.threads = 2;
        o.contextLength = 512;
        auto m = Model::load(path, o);
        QVERIFY(m.ok());
        std::vector<int32_t> prompt{testing::kTinyBos};
        while (prompt.size() < 2 * Session::kPrefillChunk + 40) {
            const auto more = (*m)->tokenizer().encode(" the cat sat in the hat, and the dog ran", false, false);
            prompt.insert(prompt.end(), more.begin(), more.end());
        }
        const int total = int(prompt.size());
        QVERIFY(total > int(Session::kPrefillChunk));

        SamplingParams p;
        p.temperature = 0.0f;
        p.maxTokens = 4;
        std::atomic<bool> never{false};
        std::vector<std::pair<int, int>> reports;
        auto onPrefill = [&](int done, int all) { reports.emplace_back(done, all); };
        auto run = [&](Session& s, const std::vector<int32_t>& tokens, const PrefillProgressCallback& progress) {
            Run r;
            auto g = s.generate(tokens, p, [&](const TokenEvent& e) {
                if (e.token >= 0)
                    r.ids.push_back(e.token);
                return true;
            }, never, progress);
            if (g.ok())
                r.stats = *g;
            return r;
        };

        auto s = Session::create(*m);
        QVERIFY(s.ok());
        const Run first = run(**s, prompt, onPrefill);
        QCOMPARE(first.stats.prefillTokens, total);
        QCOMPARE(reports.size(), (size_t(total) + Session::kPrefillChunk - 1) / Session::kPrefillChunk);
        int previous = 0;
        for (const auto& [done, all] : reports) {
            QCOMPARE(all, total);
            QVERIFY(done > previous);
            QVERIFY(done - previous <= int(Session::kPrefillChunk));
            previous = done;
        }
        QCOMPARE(reports.back().first, total);

        // Chunked for progress or not, the reply is the same.
        auto plain = Session::create(*m);
        const Run unchunked = run(**plain, prompt, {});
        QCOMPARE(idsString(unchunked.ids), idsString(first.ids));

        // A follow-up reuses the cache: only the new tokens are reported.
        std::vector<int32_t> second = prompt;
        second.insert(second.end(), first.ids.begin(), first.ids.end());
        const auto more = (*m)->tokenizer().encode(" and then", false, false);
        second.insert(second.end(), more.begin(), more.end());
        reports.clear();
        const Run followUp = run(**s, second, onPrefill);
        const int fresh = followUp.stats.prefillTokens;
        QVERIFY(followUp.stats.reusedTokens >= total);
        QCOMPARE(fresh, int(second.size()) - followUp.stats.reusedTokens);
        QCOMPARE(reports.size(), size_t(1));
        QCOMPARE(reports.front(), std::make_pair(fresh, fresh));
    }

private:
    QTemporaryDir m_dir;
    std::string m_path;
    std::shared_ptr<Model> m_model;
    std::vector<int32_t> m_prompt;
};

QTEST_GUILESS_MAIN(TestRuntime)
#include "tst_runtime.moc"
