// inkstone-cli info MODEL [--json]: what a GGUF file holds, from its header alone (tensor data
// is never read, so this takes milliseconds on a multi-gigabyte model).

#include "Verb.h"

#include "gguf/GgufFile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <charconv>
#include <cstdio>
#include <map>

using engine::gguf::GgufFile;
using engine::gguf::Value;
using engine::gguf::ValueType;

namespace {

const char kUsage[] =
    "Usage: inkstone-cli info MODEL [--json]\n"
    "\n"
    "Shows what a GGUF model file holds: architecture, hyperparameters, tokenizer, chat\n"
    "template, tensors by type, parameter count and sizes. Reads only the file's header.\n"
    "\n"
    "Options:\n"
    "  --json     print one JSON object instead of text (fields: docs/gguf.md)\n"
    "  -h, --help show this help\n"
    "\n"
    "Exit status: 0 ok, 1 bad usage, 2 unreadable or invalid file.\n";

// One hyperparameter: the JSON field name, the key under "<arch>." and the text label.
struct Hyper {
    const char* field;
    const char* key;
    const char* label;
};

constexpr Hyper kHypers[] = {
    {"context_length", "context_length", "context length"},
    {"embedding_length", "embedding_length", "embedding size"},
    {"block_count", "block_count", "layers"},
    {"head_count", "attention.head_count", "attention heads"},
    {"head_count_kv", "attention.head_count_kv", "KV heads"},
    {"feed_forward_length", "feed_forward_length", "feed-forward size"},
    {"rope_dimension_count", "rope.dimension_count", "rope dimensions"},
    {"rope_freq_base", "rope.freq_base", "rope base"},
    {"norm_rms_epsilon", "attention.layer_norm_rms_epsilon", "RMS norm eps"},
    {"norm_epsilon", "attention.layer_norm_epsilon", "layer norm eps"},
    {"expert_count", "expert_count", "experts"},
    {"expert_used_count", "expert_used_count", "experts used"},
    {"sliding_window", "attention.sliding_window", "sliding window"},
};

// Metadata value as JSON: numbers, strings, bools, and arrays of them (a per-layer head count
// is an array in some models).
QJsonValue toJson(const Value& v)
{
    switch (v.type()) {
    case ValueType::String: return QString::fromStdString(*v.asString());
    case ValueType::Bool: return *v.toBool();
    case ValueType::Float32: {
        // The double nearest the float's shortest decimal form: 1e-06, not 9.99999997e-07.
        // from_chars, unlike strtod, ignores the locale QCoreApplication installs.
        const std::string text = v.toDisplayString();
        double d = *v.toDouble();
        std::from_chars(text.data(), text.data() + text.size(), d);
        return d;
    }
    case ValueType::Float64: return *v.toDouble();
    case ValueType::Array: {
        QJsonArray a;
        for (const Value& item : v.items())
            a.append(toJson(item));
        return a;
    }
    default:
        if (const auto i = v.toInt())
            return static_cast<qint64>(*i);
        return static_cast<double>(*v.toUInt()); // u64 above INT64_MAX
    }
}

QString humanBytes(uint64_t bytes)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    if (u == 0)
        return QStringLiteral("%1 B").arg(bytes);
    return QStringLiteral("%1 %2 (%3 bytes)").arg(v, 0, 'f', 2).arg(QLatin1String(units[u])).arg(bytes);
}

QString humanCount(uint64_t n)
{
    if (n >= 1000000000ull)
        return QStringLiteral("%1 B (%2)").arg(static_cast<double>(n) / 1e9, 0, 'f', 2).arg(n);
    if (n >= 1000000ull)
        return QStringLiteral("%1 M (%2)").arg(static_cast<double>(n) / 1e6, 0, 'f', 2).arg(n);
    return QString::number(n);
}

int runInfo(const QStringList& args)
{
    QString path;
    bool json = false;
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(kUsage, stdout);
            return cli::ExitOk;
        }
        if (a == QLatin1String("--json")) {
            json = true;
        } else if (a.startsWith(QLatin1Char('-')) && a.size() > 1) {
            return cli::failUsage(QStringLiteral("unknown option '%1' (see inkstone-cli info --help)").arg(a));
        } else if (path.isEmpty()) {
            path = a;
        } else {
            return cli::failUsage(QStringLiteral("more than one MODEL given ('%1' and '%2')").arg(path, a));
        }
    }
    if (path.isEmpty())
        return cli::failUsage(QStringLiteral("no MODEL given (usage: inkstone-cli info MODEL [--json])"));

    auto opened = GgufFile::open(path.toStdString());
    if (!opened.ok()) {
        // I/O errors already name the path; validation errors name the byte, so add the path.
        const QString message = QString::fromStdString(opened.error().message());
        return cli::failInput(message.contains(path) ? message : QStringLiteral("%1: %2").arg(path, message));
    }
    const GgufFile& f = **opened;

    const std::string arch = f.architecture();
    std::map<std::string, int> typeCounts;
    uint64_t parameters = 0;
    for (const auto& t : f.tensors()) {
        ++typeCounts[std::string(engine::quant::typeName(t.type))];
        parameters += static_cast<uint64_t>(t.elementCount());
    }
    const Value* tokens = f.find("tokenizer.ggml.tokens");
    const bool hasTemplate = f.find("tokenizer.chat_template") != nullptr;
    const std::optional<std::string> name = f.getString("general.name");
    const std::optional<std::string> tokModel = f.getString("tokenizer.ggml.model");
    const std::optional<std::string> tokPre = f.getString("tokenizer.ggml.pre");

    if (json) {
        QJsonObject o;
        o[QStringLiteral("file")] = path;
        o[QStringLiteral("file_size")] = static_cast<qint64>(f.fileSize());
        o[QStringLiteral("gguf_version")] = static_cast<int>(f.version());
        o[QStringLiteral("alignment")] = static_cast<qint64>(f.alignment());
        o[QStringLiteral("data_offset")] = static_cast<qint64>(f.dataOffset());
        o[QStringLiteral("metadata_count")] = static_cast<qint64>(f.metadata().size());
        o[QStringLiteral("architecture")] = arch.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(arch));
        o[QStringLiteral("name")] = name ? QJsonValue(QString::fromStdString(*name)) : QJsonValue();
        QJsonObject hp;
        for (const Hyper& h : kHypers) {
            const Value* v = arch.empty() ? nullptr : f.find(arch + "." + h.key);
            hp[QLatin1String(h.field)] = v ? toJson(*v) : QJsonValue();
        }
        o[QStringLiteral("hyperparameters")] = hp;
        QJsonObject tok;
        tok[QStringLiteral("model")] = tokModel ? QJsonValue(QString::fromStdString(*tokModel)) : QJsonValue();
        tok[QStringLiteral("pre")] = tokPre ? QJsonValue(QString::fromStdString(*tokPre)) : QJsonValue();
        tok[QStringLiteral("vocab_size")] = tokens && tokens->isArray() ? QJsonValue(static_cast<qint64>(tokens->size())) : QJsonValue();
        o[QStringLiteral("tokenizer")] = tok;
        o[QStringLiteral("chat_template")] = hasTemplate;
        o[QStringLiteral("tensor_count")] = static_cast<qint64>(f.tensors().size());
        QJsonObject types;
        for (const auto& [type, count] : typeCounts)
            types[QString::fromStdString(type)] = count;
        o[QStringLiteral("tensor_types")] = types;
        o[QStringLiteral("parameter_count")] = static_cast<qint64>(parameters);
        o[QStringLiteral("tensor_data_size")] = static_cast<qint64>(f.tensorDataSize());
        std::fputs(QJsonDocument(o).toJson(QJsonDocument::Indented).constData(), stdout);
        return cli::ExitOk;
    }

    QString out;
    const auto line = [&out](const QString& label, const QString& value) {
        out += QStringLiteral("%1 %2\n").arg(label + QLatin1Char(':'), -20).arg(value);
    };
    line(QStringLiteral("file"), path);
    line(QStringLiteral("file size"), humanBytes(f.fileSize()));
    line(QStringLiteral("GGUF version"), QString::number(f.version()));
    line(QStringLiteral("architecture"), arch.empty() ? QStringLiteral("(none)") : QString::fromStdString(arch));
    line(QStringLiteral("name"), name ? QString::fromStdString(*name) : QStringLiteral("(none)"));
    for (const Hyper& h : kHypers) {
        const Value* v = arch.empty() ? nullptr : f.find(arch + "." + h.key);
        if (v)
            line(QLatin1String(h.label), QString::fromStdString(v->toDisplayString(16)));
    }
    QString tok = tokModel ? QString::fromStdString(*tokModel) : QStringLiteral("(none)");
    if (tokPre)
        tok += QStringLiteral(" (pre-tokenizer %1)").arg(QString::fromStdString(*tokPre));
    line(QStringLiteral("tokenizer"), tok);
    line(QStringLiteral("vocabulary size"), tokens && tokens->isArray() ? QString::number(tokens->size()) : QStringLiteral("(none)"));
    line(QStringLiteral("chat template"), hasTemplate ? QStringLiteral("yes") : QStringLiteral("no"));
    QStringList typeList;
    for (const auto& [type, count] : typeCounts)
        typeList << QStringLiteral("%1 %2").arg(QString::fromStdString(type)).arg(count);
    line(QStringLiteral("tensors"), typeList.isEmpty() ? QStringLiteral("0")
                                                       : QStringLiteral("%1 (%2)").arg(f.tensors().size()).arg(typeList.join(QStringLiteral(", "))));
    line(QStringLiteral("parameters"), humanCount(parameters));
    line(QStringLiteral("tensor data"), humanBytes(f.tensorDataSize()));
    line(QStringLiteral("metadata keys"), QString::number(f.metadata().size()));
    std::fputs(out.toUtf8().constData(), stdout);
    return cli::ExitOk;
}

const cli::VerbRegistration registration({"info", "show a GGUF model's architecture, hyperparameters, tokenizer and tensors", runInfo});

} // namespace
