// inkstone-cli bench: prompt processing (pp) and generation (tg) speed, measured and printed the
// way llama-bench does, so the two tables can be compared line by line.

#include "EngineArgs.h"
#include "ReadBandwidth.h"

#include "cpu/ThreadPool.h"
#include "model/Backend.h"
#include "runtime/Model.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

namespace {

const char kUsage[] =
    "Usage: inkstone-cli bench -m MODEL [-p 512] [-n 128] [-t N] [-r 3] [--backend auto|cpu|vulkan]\n"
    "                          [--gpu-layers N] [--kv f16|f32] [-d N] [--json] [--roof]\n"
    "\n"
    "Measures prompt processing (ppP: P random tokens in one batch from an empty cache) and text\n"
    "generation (tgN: N tokens decoded one at a time) in tokens/s, mean ± standard deviation over\n"
    "r repetitions after a warm-up, printed as llama-bench prints them. Set INKSTONE_CPU=scalar\n"
    "to measure the scalar reference kernels, INKSTONE_MATMUL=tiles the CPU products without the\n"
    "interleaved weights and prompt panels (the baseline they are measured against). With -d D\n"
    "both tests start after D tokens already in the cache (\"pp512 @ d4096\", as llama-bench -d):\n"
    "the speed deep in a long chat or document.\n"
    "\n"
    "Options:\n"
    "  -m MODEL     the GGUF model file\n"
    "  -p N         prompt tokens (default 512; 0 skips the test)\n"
    "  -n N         generated tokens (default 128; 0 skips the test)\n"
    "  -r N         repetitions (default 3)\n"
    "  -d N         tokens already in the cache when each test starts (default 0)\n"
    "  -t N         threads (default: one per core, at most 8)\n"
    "  --backend B  auto (default), cpu or vulkan\n"
    "  --gpu-layers N  layers on the GPU, the rest on the CPU (default: as many as fit)\n"
    "  --kv T       KV cache type: f16 (default) or f32\n"
    "  --json       print a JSON array instead of the table\n"
    "  --roof       also measure the memory read bandwidth and report generation against it\n"
    "  -h, --help   show this help\n"
    "\n"
    "Exit status: 0 ok, 1 bad usage, 2 bad input (unreadable or unsupported model).\n";

using Clock = std::chrono::steady_clock;

struct Measurement {
    QString test;
    int nPrompt = 0;
    int nGen = 0;
    std::vector<double> tokensPerSecond;
    double mean() const
    {
        double s = 0;
        for (double v : tokensPerSecond)
            s += v;
        return tokensPerSecond.empty() ? 0.0 : s / tokensPerSecond.size();
    }
    double stddev() const
    {
        if (tokensPerSecond.size() < 2)
            return 0.0;
        const double m = mean();
        double s = 0;
        for (double v : tokensPerSecond)
            s += (v - m) * (v - m);
        return std::sqrt(s / (tokensPerSecond.size() - 1));
    }
};

QString paramsLabel(uint64_t params)
{
    if (params >= 1000000000ull)
        return QString::number(params / 1e9, 'f', 1) + QLatin1Char('B');
    return QString::number(params / 1e6, 'f', 0) + QLatin1Char('M');
}

int runBench(const QStringList& args)
{
    cli::EngineArgs engineArgs;
    int nPrompt = 512, nGen = 128, reps = 3, depth = 0;
    bool json = false;
    bool roof = false;
    QString error;
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        auto count = [&](int& target, int min, int max) {
            if (auto v = cli::optionValue(args, i, error)) {
                if (auto n = cli::parseInteger(*v, min, max))
                    target = static_cast<int>(*n);
                else
                    error = QStringLiteral("option '%1': '%2' is not a number from %3 to %4").arg(a, *v).arg(min).arg(max);
            }
        };
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(kUsage, stdout);
            return cli::ExitOk;
        }
        if (engineArgs.take(args, i, error)) {
        } else if (a == QLatin1String("-p")) {
            count(nPrompt, 0, 1 << 16);
        } else if (a == QLatin1String("-n")) {
            count(nGen, 0, 1 << 16);
        } else if (a == QLatin1String("-r")) {
            count(reps, 1, 1000);
        } else if (a == QLatin1String("-d")) {
            count(depth, 0, 1 << 20);
        } else if (a == QLatin1String("--json")) {
            json = true;
        } else if (a == QLatin1String("--roof")) {
            roof = true;
        } else {
            return cli::failUsage(QStringLiteral("unknown option '%1' (see inkstone-cli bench --help)").arg(a));
        }
        if (!error.isEmpty())
            return cli::failUsage(error);
    }
    if (engineArgs.model.isEmpty())
        return cli::failUsage(QStringLiteral("no model given (-m MODEL)"));
    engineArgs.load.contextLength = std::max(1, depth + std::max(nPrompt, nGen));
    auto model = engine::Model::load(engineArgs.model.toStdString(), engineArgs.load);
    if (!model)
        return cli::failEngine(engineArgs.model, model.error().message());
    const engine::Model& m = **model;
    if (m.info().contextLength < depth + std::max(nPrompt, nGen))
        return cli::failInput(QStringLiteral("the model's context (%1) is shorter than the test").arg(m.info().contextLength));
    auto ctx = m.backend().createContext(m.info().contextLength, engineArgs.load.kvCacheType);
    if (!ctx)
        return cli::failEngine(engineArgs.model, ctx.error().message());
    engine::model::BackendContext& c = **ctx;

    const int nVocab = m.info().vocabularySize;
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int32_t> token(0, nVocab - 1);
    std::vector<float> logits(nVocab);
    const int32_t row0 = 0;
    // Each test writes the cache from `depth` on, over what the previous one left there.
    auto prefill = [&](int n, int pos0) {
        std::vector<int32_t> tokens(n);
        for (int32_t& t : tokens)
            t = token(rng);
        const int32_t last = n - 1;
        const auto start = Clock::now();
        auto r = c.forward(tokens, pos0, {&last, 1}, logits.data(), nullptr);
        return r.ok() ? std::chrono::duration<double>(Clock::now() - start).count() : -1.0;
    };
    auto generate = [&](int n) {
        const auto start = Clock::now();
        for (int i = 0; i < n; ++i) {
            const int32_t t = token(rng);
            if (!c.forward({&t, 1}, depth + i, {&row0, 1}, logits.data(), nullptr).ok())
                return -1.0;
        }
        return std::chrono::duration<double>(Clock::now() - start).count();
    };

    // Warm-up: touches every weight page and wakes the threads; then the context of -d.
    if (prefill(std::min(std::max(nPrompt, 1), 32), 0) < 0 || (depth > 0 && prefill(depth, 0) < 0) || generate(1) < 0)
        return cli::failInput(QStringLiteral("the forward pass failed"));
    const QString at = depth > 0 ? QStringLiteral(" @ d%1").arg(depth) : QString();
    std::vector<Measurement> results;
    if (nPrompt > 0) {
        Measurement pp{QStringLiteral("pp%1").arg(nPrompt) + at, nPrompt, 0, {}};
        for (int r = 0; r < reps; ++r)
            pp.tokensPerSecond.push_back(nPrompt / prefill(nPrompt, depth));
        results.push_back(pp);
    }
    if (nGen > 0) {
        Measurement tg{QStringLiteral("tg%1").arg(nGen) + at, 0, nGen, {}};
        for (int r = 0; r < reps; ++r)
            tg.tokensPerSecond.push_back(nGen / generate(nGen));
        results.push_back(tg);
    }

    uint64_t sizeBytes = 0;
    for (const auto& t : m.loaded().file->tensors())
        sizeBytes += t.byteSize;
    // Generation reads every tensor once per token except the embedding tables, of which it
    // reads one row (unless the output matrix is the token embedding table).
    const engine::model::ModelWeights& w = m.loaded().weights;
    auto tensorBytes = [](const engine::model::Tensor& t) { return t.present() ? static_cast<uint64_t>(t.rows) * t.rowBytes : 0; };
    uint64_t perToken = sizeBytes - tensorBytes(w.posEmbd);
    if (w.tokenEmbd.data != w.output.data)
        perToken -= tensorBytes(w.tokenEmbd);
    double bandwidth = 0;
    if (roof && nGen > 0)
        bandwidth = cli::measureReadBandwidth(engineArgs.load.threads > 0 ? engineArgs.load.threads : engine::cpu::defaultThreadCount());
    const QString label = QStringLiteral("%1 %2 %3").arg(QString::fromStdString(m.info().architecture), paramsLabel(m.info().parameterCount),
                                                         QString::fromStdString(m.info().fileType).toUpper());
    const QString backend = QString::fromStdString(m.info().backendDescription).section(QStringLiteral(" \u00b7 "), 0, 1);
    const int threads = engineArgs.load.threads > 0 ? engineArgs.load.threads : 0;
    const QString threadText = threads > 0 ? QString::number(threads) : QStringLiteral("auto");
    if (json) {
        QJsonArray out;
        for (const Measurement& r : results) {
            QJsonArray samples;
            for (double v : r.tokensPerSecond)
                samples.append(v);
            out.append(QJsonObject{{QStringLiteral("model"), label},
                                   {QStringLiteral("model_file"), engineArgs.model},
                                   {QStringLiteral("size"), double(sizeBytes)},
                                   {QStringLiteral("params"), double(m.info().parameterCount)},
                                   {QStringLiteral("backend"), QString::fromStdString(m.info().backendDescription)},
                                   {QStringLiteral("threads"), threads},
                                   {QStringLiteral("test"), r.test},
                                   {QStringLiteral("n_prompt"), r.nPrompt},
                                   {QStringLiteral("n_gen"), r.nGen},
                                   {QStringLiteral("n_depth"), depth},
                                   {QStringLiteral("avg_ts"), r.mean()},
                                   {QStringLiteral("stddev_ts"), r.stddev()},
                                   {QStringLiteral("samples_ts"), samples}});
            if (roof && r.nGen > 0) {
                QJsonObject last = out.last().toObject();
                last.insert(QStringLiteral("weight_bytes_per_token"), double(perToken));
                last.insert(QStringLiteral("weights_gbps"), r.mean() * perToken / 1e9);
                last.insert(QStringLiteral("read_bandwidth_gbps"), bandwidth);
                out.replace(out.size() - 1, last);
            }
        }
        std::fputs(QJsonDocument(out).toJson(QJsonDocument::Indented).constData(), stdout);
        return cli::ExitOk;
    }
    std::printf("| %-30s | %10s | %10s | %-16s | %7s | %13s | %20s |\n", "model", "size", "params", "backend", "threads", "test", "t/s");
    std::printf("| %s | ---------: | ---------: | %s | ------: | ------------: | -------------------: |\n",
                QString(30, QLatin1Char('-')).toUtf8().constData(), QString(16, QLatin1Char('-')).toUtf8().constData());
    for (const Measurement& r : results) {
        const QString size = QStringLiteral("%1 MiB").arg(sizeBytes / 1048576.0, 0, 'f', 2);
        const QString params = QStringLiteral("%1 M").arg(m.info().parameterCount / 1e6, 0, 'f', 2);
        const QString ts = QStringLiteral("%1 ± %2").arg(r.mean(), 0, 'f', 2).arg(r.stddev(), 0, 'f', 2);
        std::printf("| %-30s | %10s | %10s | %-16s | %7s | %13s | %20s |\n", label.toUtf8().constData(), size.toUtf8().constData(),
                    params.toUtf8().constData(), backend.toUtf8().constData(), threadText.toUtf8().constData(),
                    r.test.toUtf8().constData(), ts.toUtf8().constData());
    }
    for (const Measurement& r : results)
        if (roof && r.nGen > 0)
            std::printf("\n%s: %.1f GB/s of weights (%.3f GB per token) = %.0f%% of the read bandwidth measured now, %.1f GB/s "
                        "(%s threads, best of 5 passes over 1 GiB)\n",
                        r.test.toUtf8().constData(), r.mean() * perToken / 1e9, perToken / 1e9, 100.0 * r.mean() * perToken / 1e9 / bandwidth,
                        bandwidth, threadText.toUtf8().constData());
    return cli::ExitOk;
}

const cli::VerbRegistration registration({"bench", "measure prompt processing and generation speed (llama-bench style)", runBench});

} // namespace
