// inkstone-cli logits: the model's raw logits for a token sequence, as JSON. The conformance
// checks (ours and anyone's) drive the engine through this verb.

#include "EngineArgs.h"

#include "runtime/Model.h"
#include "runtime/Session.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace {

const char kUsage[] =
    "Usage: inkstone-cli logits -m MODEL --tokens ID,ID,... [--positions last|all|I,J,...]\n"
    "                           [--backend auto|cpu|vulkan] [--gpu-layers N] [-t N] [--kv f16|f32]\n"
    "\n"
    "Runs the token ids through the model in one batch (positions 0, 1, ...) and prints the\n"
    "logits at the requested positions as JSON: {\"positions\": [...], \"logits\": [[...], ...]},\n"
    "one array of float32 values (the full vocabulary) per position.\n"
    "\n"
    "Options:\n"
    "  -m MODEL          the GGUF model file\n"
    "  --tokens IDS      comma-separated token ids (no BOS is added)\n"
    "  --positions P     last (default), all, or comma-separated positions\n"
    "  --backend B       auto (default), cpu or vulkan\n"
    "  --gpu-layers N    layers on the GPU, the rest on the CPU (default: as many as fit)\n"
    "  -t N              threads (default: one per core, at most 8)\n"
    "  --kv T            KV cache type: f16 (default) or f32\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 ok, 1 bad usage, 2 bad input (unreadable model, id out of range, too many tokens).\n";

std::optional<std::vector<int32_t>> parseIds(const QString& text)
{
    std::vector<int32_t> ids;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        auto v = cli::parseInteger(part.trimmed(), 0, INT32_MAX);
        if (!v)
            return std::nullopt;
        ids.push_back(static_cast<int32_t>(*v));
    }
    return ids;
}

void appendFloat(std::string& out, float v)
{
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    out += buf;
}

int runLogits(const QStringList& args)
{
    cli::EngineArgs engineArgs;
    QString tokensText, positionsText = QStringLiteral("last");
    QString error;
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(kUsage, stdout);
            return cli::ExitOk;
        }
        if (engineArgs.take(args, i, error)) {
        } else if (a == QLatin1String("--tokens")) {
            if (auto v = cli::optionValue(args, i, error))
                tokensText = *v;
        } else if (a == QLatin1String("--positions")) {
            if (auto v = cli::optionValue(args, i, error))
                positionsText = *v;
        } else {
            return cli::failUsage(QStringLiteral("unknown option '%1' (see inkstone-cli logits --help)").arg(a));
        }
        if (!error.isEmpty())
            return cli::failUsage(error);
    }
    if (engineArgs.model.isEmpty())
        return cli::failUsage(QStringLiteral("no model given (-m MODEL)"));
    auto tokens = parseIds(tokensText);
    if (!tokens || tokens->empty())
        return cli::failUsage(QStringLiteral("--tokens needs comma-separated non-negative token ids"));
    const int n = static_cast<int>(tokens->size());
    std::vector<int32_t> positions;
    if (positionsText == QLatin1String("last")) {
        positions.push_back(n - 1);
    } else if (positionsText == QLatin1String("all")) {
        for (int p = 0; p < n; ++p)
            positions.push_back(p);
    } else {
        auto list = parseIds(positionsText);
        if (!list || list->empty())
            return cli::failUsage(QStringLiteral("--positions must be last, all or comma-separated positions"));
        for (int32_t p : *list)
            if (p >= n)
                return cli::failUsage(QStringLiteral("position %1 is past the last token (%2)").arg(p).arg(n - 1));
        positions = *list;
    }

    if (engineArgs.load.contextLength == 0)
        engineArgs.load.contextLength = n;
    auto model = engine::Model::load(engineArgs.model.toStdString(), engineArgs.load);
    if (!model)
        return cli::failEngine(engineArgs.model, model.error().message());
    auto session = engine::Session::create(*model);
    if (!session)
        return cli::failEngine(engineArgs.model, session.error().message());
    auto logits = (*session)->evaluate(*tokens, positions);
    if (!logits)
        return cli::failEngine(QString(), logits.error().message());
    cli::printBackendNote(**session);

    const size_t nVocab = static_cast<size_t>((*model)->info().vocabularySize);
    std::string out = "{\"positions\": [";
    for (size_t i = 0; i < positions.size(); ++i)
        out += (i ? ", " : "") + std::to_string(positions[i]);
    out += "], \"logits\": [";
    for (size_t i = 0; i < positions.size(); ++i) {
        out += i ? ", [" : "[";
        for (size_t v = 0; v < nVocab; ++v) {
            if (v)
                out += ", ";
            appendFloat(out, (*logits)[i * nVocab + v]);
        }
        out += "]";
    }
    out += "]}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return cli::ExitOk;
}

const cli::VerbRegistration registration({"logits", "print a model's logits for token ids as JSON", runLogits});

} // namespace
