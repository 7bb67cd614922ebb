// inkstone-cli quantize IN.gguf OUT.gguf TYPE: converts an F32/F16/BF16 model to a quantized
// mix (Q4_K_M, Q8_0, …) the way llama-quantize does without an importance matrix: same
// per-tensor types, same bytes. Tensors are converted one at a time while the output is written,
// so memory stays at about one tensor whatever the model size.

#include "Verb.h"

#include "gguf/GgufFile.h"
#include "gguf/GgufWriter.h"
#include "quant/Quant.h"
#include "quant/QuantMix.h"

#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace engine;
using engine::gguf::GgufFile;
using engine::gguf::Value;

namespace {

QString usage()
{
    QString types;
    for (std::string_view name : quant::fileTypeNames())
        types += QStringLiteral(" ") + QString::fromLatin1(name.data(), static_cast<int>(name.size()));
    return QStringLiteral(
               "Usage: inkstone-cli quantize IN.gguf OUT.gguf TYPE [-t N]\n"
               "\n"
               "Writes OUT.gguf with the tensors of IN.gguf (F32, F16 or BF16) converted to TYPE,\n"
               "one of:%1\n"
               "The _M/_S mixes and the others keep token_embd/output and some attn_v/ffn_down layers\n"
               "at higher precision as llama.cpp's llama-quantize does; 1-D tensors stay as they are.\n"
               "All metadata is copied; general.file_type is set to TYPE. Prints each tensor and the\n"
               "size before and after.\n"
               "\n"
               "Options:\n"
               "  -t N       threads (default: all cores)\n"
               "  -h, --help show this help\n"
               "\n"
               "Exit status: 0 ok, 1 bad usage, 2 unreadable or unsupported input, or OUT not writable.\n")
        .arg(types);
}

QString mib(uint64_t bytes)
{
    return QString::number(static_cast<double>(bytes) / (1024.0 * 1024.0), 'f', 2) + QStringLiteral(" MiB");
}

QString typeLabel(quant::TensorType t)
{
    const auto n = quant::typeName(t);
    return QString::fromLatin1(n.data(), static_cast<int>(n.size()));
}

quant::ModelShape modelShape(const GgufFile& file)
{
    quant::ModelShape shape;
    shape.architecture = file.architecture();
    const std::string prefix = shape.architecture + ".";
    shape.nLayer = static_cast<int>(file.getInt(prefix + "block_count").value_or(0));
    shape.nHead = static_cast<int>(file.getInt(prefix + "attention.head_count").value_or(0));
    shape.nHeadKv = static_cast<int>(file.getInt(prefix + "attention.head_count_kv").value_or(shape.nHead));
    shape.nExpert = static_cast<int>(file.getInt(prefix + "expert_count").value_or(0));
    return shape;
}

// llama.cpp's loader order (weight_name_comparer): tensors outside the blocks first, then block
// by block, by name within each. llama-quantize writes them in this order and counts layers in it.
int layerOf(const std::string& name)
{
    int layer = -1;
    if (name.rfind("blk.", 0) == 0) {
        const char* p = name.c_str() + 4;
        char* end = nullptr;
        const long v = std::strtol(p, &end, 10);
        if (end != p && *end == '.' && v >= 0 && v < 1000000)
            layer = static_cast<int>(v);
    }
    return layer;
}

std::vector<const gguf::TensorInfo*> loaderOrder(const GgufFile& file)
{
    std::vector<const gguf::TensorInfo*> order;
    for (const gguf::TensorInfo& t : file.tensors())
        order.push_back(&t);
    std::stable_sort(order.begin(), order.end(), [](const gguf::TensorInfo* a, const gguf::TensorInfo* b) {
        const int la = layerOf(a->name), lb = layerOf(b->name);
        return la != lb ? la < lb : a->name < b->name;
    });
    return order;
}

bool isFloat(quant::TensorType t)
{
    return t == quant::TensorType::F32 || t == quant::TensorType::F16 || t == quant::TensorType::BF16;
}

// Converts rows [begin, end) of a tensor from its float storage type to `to`.
void convertRows(const gguf::TensorInfo& info, const uint8_t* src, quant::TensorType to, uint8_t* dst,
                 int64_t begin, int64_t end)
{
    const int64_t n = info.ne[0];
    const size_t srcRow = static_cast<size_t>(*quant::rowBytes(info.type, n));
    const size_t dstRow = static_cast<size_t>(*quant::rowBytes(to, n));
    std::vector<float> row(static_cast<size_t>(n));
    for (int64_t r = begin; r < end; ++r) {
        quant::dequantizeRow(info.type, src + static_cast<size_t>(r) * srcRow, row.data(), n);
        quant::quantizeRow(to, row.data(), dst + static_cast<size_t>(r) * dstRow, n);
    }
}

void convertTensor(const gguf::TensorInfo& info, const uint8_t* src, quant::TensorType to, uint8_t* dst, int threads)
{
    const int64_t rows = info.rows();
    const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(threads, rows / 4));
    if (workers == 1) {
        convertRows(info, src, to, dst, 0, rows);
        return;
    }
    std::vector<std::thread> pool;
    const int64_t chunk = (rows + workers - 1) / workers;
    for (int64_t w = 0; w < workers; ++w) {
        const int64_t begin = w * chunk;
        const int64_t end = std::min(rows, begin + chunk);
        if (begin < end)
            pool.emplace_back(convertRows, std::cref(info), src, to, dst, begin, end);
    }
    for (auto& t : pool)
        t.join();
}

int runQuantize(const QStringList& args)
{
    QStringList positional;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            std::fputs(qPrintable(usage()), stdout);
            return cli::ExitOk;
        }
        if (a == QLatin1String("-t") || a == QLatin1String("--threads")) {
            bool ok = false;
            threads = i + 1 < args.size() ? args.at(i + 1).toInt(&ok) : 0;
            if (!ok || threads < 1 || threads > 1024)
                return cli::failUsage(QStringLiteral("-t needs a thread count between 1 and 1024"));
            ++i;
        } else if (a.startsWith(QLatin1Char('-')) && a.size() > 1) {
            return cli::failUsage(QStringLiteral("unknown option '%1' (see inkstone-cli quantize --help)").arg(a));
        } else {
            positional << a;
        }
    }
    if (positional.size() != 3)
        return cli::failUsage(QStringLiteral("quantize needs IN.gguf OUT.gguf TYPE (see inkstone-cli quantize --help)"));
    const QString inPath = positional[0], outPath = positional[1];
    const auto fileType = quant::fileTypeFromName(positional[2].toStdString());
    if (!fileType)
        return cli::failUsage(QStringLiteral("unknown type '%1' (see inkstone-cli quantize --help)").arg(positional[2]));
    if (QFileInfo(inPath).exists() && QFileInfo(inPath).canonicalFilePath() == QFileInfo(outPath).canonicalFilePath())
        return cli::failUsage(QStringLiteral("OUT must differ from IN"));

    auto opened = GgufFile::open(inPath.toStdString());
    if (!opened)
        return cli::failInput(QStringLiteral("%1: %2").arg(inPath, QString::fromStdString(opened.error().message())));
    const GgufFile& in = **opened;

    const std::vector<const gguf::TensorInfo*> tensors = loaderOrder(in);
    std::vector<quant::TensorDesc> descs;
    for (const gguf::TensorInfo* t : tensors)
        descs.push_back({t->name, static_cast<int>(t->nDims), t->ne[0], t->type});
    quant::MixPlanner planner(*fileType, modelShape(in), descs);

    // Plan every tensor first, so unsupported input is reported before anything is written.
    std::vector<quant::TensorType> plan;
    for (size_t i = 0; i < descs.size(); ++i) {
        const quant::TensorType to = planner.typeFor(descs[i]);
        const gguf::TensorInfo& t = *tensors[i];
        if (to != t.type && !isFloat(t.type))
            return cli::failInput(QStringLiteral("%1: tensor '%2' is already %3; quantize from an F32, F16 or BF16 model")
                                      .arg(inPath, QString::fromStdString(t.name), typeLabel(t.type)));
        if (to != t.type && (!quant::canQuantize(to) || !quant::rowBytes(to, t.ne[0])))
            return cli::failInput(QStringLiteral("%1: tensor '%2' cannot be stored as %3 (row length %4)")
                                      .arg(inPath, QString::fromStdString(t.name), typeLabel(to)).arg(t.ne[0]));
        plan.push_back(to);
    }

    gguf::GgufWriter writer;
    // As llama-quantize: all keys in order, then these two re-set at the end (a GGUF set moves an
    // existing key to the end), which keeps our output byte-identical to its.
    for (const auto& [key, value] : in.metadata())
        if (key != "general.quantization_version" && key != "general.file_type")
            writer.setValue(key, value);
    writer.setValue("general.quantization_version", Value::u32(2));
    writer.setValue("general.file_type", Value::u32(static_cast<uint32_t>(*fileType)));

    const auto started = std::chrono::steady_clock::now();
    const size_t count = tensors.size();
    uint64_t before = 0, after = 0;
    for (size_t i = 0; i < count; ++i) {
        const gguf::TensorInfo& info = *tensors[i];
        const quant::TensorType to = plan[i];
        std::vector<int64_t> shape(info.ne, info.ne + info.nDims);
        const uint8_t* src = in.tensor(info).data;
        before += info.byteSize;
        auto fill = [&info, src, to, threads, i, count](std::span<uint8_t> out) -> Result<void> {
            if (to == info.type)
                std::memcpy(out.data(), src, out.size());
            else
                convertTensor(info, src, to, out.data(), threads);
            QString dims;
            for (uint32_t d = 0; d < info.nDims; ++d)
                dims += (d ? QStringLiteral(" x ") : QString()) + QString::number(info.ne[d]);
            std::printf("[%4zu/%4zu] %-36s [%s] %-6s -> %-6s %10s -> %10s\n", i + 1, count, info.name.c_str(),
                        qPrintable(dims), qPrintable(typeLabel(info.type)), qPrintable(typeLabel(to)),
                        qPrintable(mib(info.byteSize)), qPrintable(mib(out.size())));
            std::fflush(stdout);
            return {};
        };
        auto added = writer.addTensorDeferred(info.name, to, std::move(shape), fill);
        if (!added)
            return cli::failInput(QStringLiteral("%1: tensor '%2': %3").arg(inPath, QString::fromStdString(info.name),
                                                                           QString::fromStdString(added.error().message())));
        after += *added;
    }
    auto written = writer.write(outPath.toStdString());
    if (!written)
        return cli::failInput(QStringLiteral("%1: %2").arg(outPath, QString::fromStdString(written.error().message())));

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("quantized %s to %s (%s): tensors %s -> %s (%.2fx smaller), %zu tensors",
                qPrintable(inPath), qPrintable(outPath), std::string(quant::fileTypeName(*fileType)).c_str(),
                qPrintable(mib(before)), qPrintable(mib(after)), after ? static_cast<double>(before) / static_cast<double>(after) : 0.0,
                count);
    if (planner.fallbackCount() > 0)
        std::printf(", %d with a fallback type (row length not a multiple of the block)", planner.fallbackCount());
    std::printf(", %.1f s\n", seconds);
    return cli::ExitOk;
}

const cli::VerbRegistration kRegistration({"quantize", "convert an F32/F16/BF16 model to Q4_K_M, Q8_0 and other mixes", runQuantize});

} // namespace
