// inkstone-cli perplexity: how well a model predicts a text, computed as llama.cpp's
// `llama-perplexity` does (chunks of c tokens, BOS first when the model wants one, only the
// second half of each chunk scored), so the numbers can be compared.

#include "EngineArgs.h"

#include "runtime/Model.h"
#include "runtime/Session.h"
#include "tokenizer/Tokenizer.h"

#include <QFile>

#include <cmath>
#include <cstdio>

namespace {

const char kUsage[] =
    "Usage: inkstone-cli perplexity -m MODEL -f FILE [-c 512] [-t N] [--backend auto|cpu|vulkan]\n"
    "                               [--gpu-layers N] [--kv f16|f32]\n"
    "\n"
    "Tokenizes FILE, cuts it into chunks of c tokens and scores the second half of each chunk\n"
    "(as llama.cpp's llama-perplexity does). Prints the running perplexity after each chunk and\n"
    "the final estimate with its standard error.\n"
    "\n"
    "Options:\n"
    "  -m MODEL     the GGUF model file\n"
    "  -f FILE      the text to score\n"
    "  -c N         chunk size in tokens (default 512)\n"
    "  -t N         threads (default: one per core, at most 8)\n"
    "  --backend B  auto (default), cpu or vulkan\n"
    "  --gpu-layers N  layers on the GPU, the rest on the CPU (default: as many as fit)\n"
    "  --kv T       KV cache type: f16 (default) or f32\n"
    "  -h, --help   show this help\n"
    "\n"
    "Exit status: 0 ok, 1 bad usage, 2 bad input (unreadable model or file, text too short).\n";

int runPerplexity(const QStringList& args)
{
    cli::EngineArgs engineArgs;
    engineArgs.load.contextLength = 512;
    QString textPath;
    QString error;
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(kUsage, stdout);
            return cli::ExitOk;
        }
        if (engineArgs.take(args, i, error)) {
        } else if (a == QLatin1String("-f") || a == QLatin1String("--file")) {
            if (auto v = cli::optionValue(args, i, error))
                textPath = *v;
        } else {
            return cli::failUsage(QStringLiteral("unknown option '%1' (see inkstone-cli perplexity --help)").arg(a));
        }
        if (!error.isEmpty())
            return cli::failUsage(error);
    }
    if (engineArgs.model.isEmpty())
        return cli::failUsage(QStringLiteral("no model given (-m MODEL)"));
    if (textPath.isEmpty())
        return cli::failUsage(QStringLiteral("no text given (-f FILE)"));
    const int chunk = engineArgs.load.contextLength;
    if (chunk < 8)
        return cli::failUsage(QStringLiteral("-c must be at least 8"));
    QFile file(textPath);
    if (!file.open(QIODevice::ReadOnly))
        return cli::failInput(QStringLiteral("%1: %2").arg(textPath, file.errorString()));
    const QByteArray bytes = file.readAll();

    auto model = engine::Model::load(engineArgs.model.toStdString(), engineArgs.load);
    if (!model)
        return cli::failEngine(engineArgs.model, model.error().message());
    const engine::Model& m = **model;
    if (m.info().contextLength < chunk)
        return cli::failInput(QStringLiteral("the model's context (%1) is shorter than the chunk size %2").arg(m.info().contextLength).arg(chunk));
    const engine::tokenizer::Tokenizer& tok = m.tokenizer();
    const std::vector<int32_t> tokens = tok.encode(std::string_view(bytes.constData(), size_t(bytes.size())), false, false);
    const int nChunks = static_cast<int>(tokens.size()) / chunk;
    if (nChunks == 0)
        return cli::failInput(QStringLiteral("%1: %2 tokens, fewer than one chunk of %3").arg(textPath).arg(tokens.size()).arg(chunk));
    auto session = engine::Session::create(*model);
    if (!session)
        return cli::failEngine(engineArgs.model, session.error().message());

    const size_t nVocab = static_cast<size_t>(m.info().vocabularySize);
    const int first = chunk / 2;   // scored positions predict tokens first+1 .. chunk-1
    std::vector<int32_t> rows;
    for (int j = first; j < chunk - 1; ++j)
        rows.push_back(j);
    double nll = 0.0, nll2 = 0.0;
    long count = 0;
    std::fprintf(stderr, "%d chunks of %d tokens, %s\n", nChunks, chunk, m.info().backendDescription.c_str());
    for (int c = 0; c < nChunks; ++c) {
        std::vector<int32_t> piece(tokens.begin() + c * chunk, tokens.begin() + (c + 1) * chunk);
        if (tok.addBos() && tok.bos() >= 0)
            piece[0] = tok.bos();
        (*session)->reset();
        auto logits = (*session)->evaluate(piece, rows);
        if (!logits)
            return cli::failEngine(QString(), logits.error().message());
        for (size_t k = 0; k < rows.size(); ++k) {
            const float* l = logits->data() + k * nVocab;
            float max = l[0];
            for (size_t v = 1; v < nVocab; ++v)
                max = std::max(max, l[v]);
            double sum = 0.0;
            for (size_t v = 0; v < nVocab; ++v)
                sum += std::exp(double(l[v]) - max);
            const double lp = double(l[piece[rows[k] + 1]]) - max - std::log(sum);
            nll -= lp;
            nll2 += lp * lp;
            ++count;
        }
        std::printf("[%d]%.4f,", c + 1, std::exp(nll / count));
        std::fflush(stdout);
    }
    const double mean = nll / count;
    const double var = nll2 / count - mean * mean;
    const double ppl = std::exp(mean);
    const double err = count > 1 ? ppl * std::sqrt(std::max(0.0, var) / (count - 1)) : 0.0;
    std::printf("\nFinal estimate: PPL = %.4f +/- %.5f\n", ppl, err);
    std::fflush(stdout);
    cli::printBackendNote(**session);
    return cli::ExitOk;
}

const cli::VerbRegistration registration({"perplexity", "measure a model's perplexity on a text file", runPerplexity});

} // namespace
