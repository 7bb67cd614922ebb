#include "EngineWorker.h"

#include "PieceBatcher.h"

#include "core/CpuFeatures.h"
#include "core/Error.h"

#ifdef INKSTONE_HAVE_GGUF
#include "gguf/GgufFile.h"
#endif

#include <QFileInfo>

namespace {

ServiceFailure::Kind kindOf(engine::ErrorCode code)
{
    using engine::ErrorCode;
    switch (code) {
    case ErrorCode::Io: return ServiceFailure::Kind::Io;
    case ErrorCode::InvalidFile: return ServiceFailure::Kind::InvalidFile;
    case ErrorCode::Unsupported:
    case ErrorCode::MissingKey: return ServiceFailure::Kind::Unsupported;
    case ErrorCode::Template: return ServiceFailure::Kind::Template;
    case ErrorCode::ContextFull: return ServiceFailure::Kind::ContextFull;
    case ErrorCode::OutOfMemory: return ServiceFailure::Kind::OutOfMemory;
    case ErrorCode::Device: return ServiceFailure::Kind::Device;
    case ErrorCode::Cancelled: return ServiceFailure::Kind::Cancelled;
    case ErrorCode::InvalidArgument:
    case ErrorCode::Internal: return ServiceFailure::Kind::Internal;
    }
    return ServiceFailure::Kind::Internal;
}

[[maybe_unused]] ServiceFailure failureOf(const engine::Error& error)
{
    return {kindOf(error.code), QString::fromStdString(error.message())};
}

QString cpuBackendName()
{
    return QStringLiteral("CPU · %1").arg(QString::fromStdString(engine::cpuFeatures().bestIsaName()));
}

} // namespace

struct EngineWorker::Loaded {
    ModelInfo info;
#ifdef INKSTONE_HAVE_GGUF
    std::unique_ptr<engine::gguf::GgufFile> file;
#endif
};

EngineWorker::EngineWorker() = default;
EngineWorker::~EngineWorker() = default;

void EngineWorker::loadModel(quint64 loadId, const QString& path, const CancelFlag& cancel)
{
    m_loaded.reset(); // the previous model's memory goes before the next one is mapped
    emit loadProgress(loadId, 0.0);
    if (cancel->load()) {
        emit loadFailed(loadId, path, {ServiceFailure::Kind::Cancelled, {}});
        return;
    }
    const QFileInfo fileInfo(path);
    if (!fileInfo.isFile() || !fileInfo.isReadable()) {
        emit loadFailed(loadId, path, {ServiceFailure::Kind::Io, QStringLiteral("cannot read %1").arg(path)});
        return;
    }
#ifdef INKSTONE_HAVE_GGUF
    auto opened = engine::gguf::GgufFile::open(path.toStdString());
    if (!opened) {
        emit loadFailed(loadId, path, failureOf(opened.error()));
        return;
    }
    auto loaded = std::make_unique<Loaded>();
    loaded->file = std::move(opened.value());
    const auto& file = *loaded->file;
    ModelInfo& info = loaded->info;
    info.path = path;
    info.architecture = QString::fromStdString(file.architecture());
    info.name = QString::fromStdString(file.getString("general.name").value_or(fileInfo.completeBaseName().toStdString()));
    info.fileSize = static_cast<qint64>(file.fileSize());
    info.tensorCount = static_cast<int>(file.tensors().size());
    for (const auto& tensor : file.tensors())
        info.parameterCount += tensor.elementCount();
    const std::string arch = file.architecture();
    info.contextLength = static_cast<int>(file.getInt(arch + ".context_length").value_or(0));
    info.hasChatTemplate = file.getString("tokenizer.chat_template").has_value();
    info.backend = cpuBackendName();
    info.canGenerate = false; // no inference runtime in this build yet
    emit loadProgress(loadId, 1.0);
    m_loaded = std::move(loaded);
    emit loadFinished(loadId, m_loaded->info);
#else
    emit loadFailed(loadId, path, {ServiceFailure::Kind::Unsupported,
                                   QStringLiteral("this build has no GGUF reader")});
#endif
}

void EngineWorker::unloadModel()
{
    m_loaded.reset();
    emit unloaded();
}

void EngineWorker::generate(RequestId id, const GenerationRequest& request, const CancelFlag& cancel)
{
    Q_UNUSED(request);
    if (cancel->load()) {
        GenerationStats stats;
        stats.cancelled = true;
        emit generationFinished(id, stats);
        return;
    }
    if (!m_loaded) {
        emit generationFailed(id, {ServiceFailure::Kind::NoModel, {}});
        return;
    }
    emit generationFailed(id, {ServiceFailure::Kind::NotAvailable,
                               QStringLiteral("the inference runtime is not part of this build yet")});
}
