#pragma once
// Options shared by the verbs that run a model (run, logits, bench, perplexity):
//   -m MODEL, -t N, -c N, --backend auto|cpu|vulkan, --gpu-layers N, --kv f16|f32
// and small helpers for the verbs' own options. Header-only: each verb file includes it.

#include "Verb.h"

#include "runtime/Session.h"
#include "runtime/Types.h"

#include <QString>
#include <QStringList>

#include <cstdio>
#include <optional>

namespace cli {

// The value after option args[i]; advances i. Sets error when there is none.
inline std::optional<QString> optionValue(const QStringList& args, int& i, QString& error)
{
    if (i + 1 >= args.size()) {
        error = QStringLiteral("option '%1' needs a value").arg(args.at(i));
        return std::nullopt;
    }
    return args.at(++i);
}

inline std::optional<long long> parseInteger(const QString& text, long long min, long long max)
{
    bool ok = false;
    const long long v = text.toLongLong(&ok);
    if (!ok || v < min || v > max)
        return std::nullopt;
    return v;
}

inline std::optional<double> parseReal(const QString& text)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    return ok ? std::optional<double>(v) : std::nullopt;
}

struct EngineArgs {
    QString model;
    engine::LoadOptions load;

    // Consumes args[i] (and its value) when it is one of the shared options. Returns false when
    // it is not; sets error when it is but its value is bad.
    bool take(const QStringList& args, int& i, QString& error)
    {
        const QString& a = args.at(i);
        auto intOption = [&](int& target, long long min, long long max) {
            auto v = optionValue(args, i, error);
            if (!v)
                return true;
            auto n = parseInteger(*v, min, max);
            if (!n)
                error = QStringLiteral("option '%1': '%2' is not a number from %3 to %4").arg(a, *v).arg(min).arg(max);
            else
                target = static_cast<int>(*n);
            return true;
        };
        if (a == QLatin1String("-m") || a == QLatin1String("--model")) {
            if (auto v = optionValue(args, i, error))
                model = *v;
            return true;
        }
        if (a == QLatin1String("-t") || a == QLatin1String("--threads"))
            return intOption(load.threads, 1, 256);
        if (a == QLatin1String("-c") || a == QLatin1String("--ctx-size"))
            return intOption(load.contextLength, 1, 1 << 20);
        if (a == QLatin1String("--backend")) {
            if (auto v = optionValue(args, i, error)) {
                if (*v == QLatin1String("auto"))
                    load.backend = engine::BackendChoice::Auto;
                else if (*v == QLatin1String("cpu"))
                    load.backend = engine::BackendChoice::Cpu;
                else if (*v == QLatin1String("vulkan"))
                    load.backend = engine::BackendChoice::Vulkan;
                else
                    error = QStringLiteral("--backend must be auto, cpu or vulkan, not '%1'").arg(*v);
            }
            return true;
        }
        if (a == QLatin1String("--gpu-layers"))
            return intOption(load.gpuLayers, 0, 1 << 20);
        if (a == QLatin1String("--kv")) {
            if (auto v = optionValue(args, i, error)) {
                if (*v == QLatin1String("f16"))
                    load.kvCacheType = engine::KvCacheType::F16;
                else if (*v == QLatin1String("f32"))
                    load.kvCacheType = engine::KvCacheType::F32;
                else
                    error = QStringLiteral("--kv must be f16 or f32, not '%1'").arg(*v);
            }
            return true;
        }
        return false;
    }
};

// The session's backend note (the GPU failed or could not take the model; the work ran on the
// CPU) as one line on stderr, after the work so that it says what really happened.
inline void printBackendNote(const engine::Session& session)
{
    if (const std::string note = session.backendNote(); !note.empty())
        std::fprintf(stderr, "note: %s\n", note.c_str());
}

// Exit code for an engine error: bad input (2) for everything a file or a prompt can cause.
inline int failEngine(const QString& what, const std::string& message)
{
    return failInput(what.isEmpty() ? QString::fromStdString(message) : what + QStringLiteral(": ") + QString::fromStdString(message));
}

} // namespace cli
