#include "EngineWorker.h"

#include "GpuSupport.h"
#include "PieceBatcher.h"
#ifdef INKSTONE_HAVE_RUNTIME
#include "KvCacheSize.h"
#include "SessionPool.h"
#endif

#include "core/CpuFeatures.h"
#include "core/Error.h"
#include "core/Log.h"

#ifdef INKSTONE_HAVE_GGUF
#include "gguf/GgufFile.h"
#endif
#ifdef INKSTONE_HAVE_RUNTIME
#include "chat/ChatTemplate.h"
#include "runtime/Model.h"
#include "runtime/Session.h"
#include "tokenizer/Tokenizer.h"
#endif

#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

#include <optional>

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

// KV cache the per-pane sessions may take together: all four panes keep their own cache for
// small and mid-sized models (a 7B model with grouped-query attention needs about 0.2 GiB per
// 4096-token session); a model whose single cache exceeds it gets one shared session.
[[maybe_unused]] constexpr qint64 kSessionBudgetBytes = qint64(1) << 30;

[[maybe_unused]] QString cpuBackendName()
{
    return QStringLiteral("CPU · %1").arg(QString::fromStdString(engine::cpuFeatures().bestIsaName()));
}

#ifdef INKSTONE_HAVE_RUNTIME
// What a session reports about where it runs: the model's own note (the GPU could not take the
// model) or the session's (the GPU failed under it and it moved to the CPU).
BackendNote noteOf(const engine::Session& session)
{
    const std::string note = session.backendNote();
    if (note.empty())
        return {};
    const bool fromModel = note == session.model().backendNote();
    return {fromModel ? BackendNote::Kind::ModelOnCpu : BackendNote::Kind::SessionOnCpu, QString::fromStdString(note)};
}

// A model split between the GPU and the CPU because it did not fit. The engine reports the split
// only in its description ("Vulkan · <device> · 20/24 layers, the rest on CPU · …"); a split the
// user asked for (a GPU layer count in Settings) is no news and gets no note.
BackendNote partialOffloadNote(const engine::Model& model, int gpuLayersAsked)
{
    static const QRegularExpression layers(QStringLiteral("\\b\\d+/\\d+ layers\\b"));
    const QString description = QString::fromStdString(model.info().backendDescription);
    if (!model.usesGpu() || gpuLayersAsked >= 0 || !layers.match(description).hasMatch())
        return {};
    return {BackendNote::Kind::PartialOffload, description};
}
#endif

} // namespace

struct EngineWorker::Loaded {
    ModelInfo info;
    QSet<QString> reportedNotes; // each note once per model
#ifdef INKSTONE_HAVE_RUNTIME
    std::shared_ptr<engine::Model> model;
    std::unique_ptr<SessionPool> sessions; // one per GenerationRequest::Origin, within a budget
    std::optional<engine::chat::ChatTemplate> chatTemplate;
#elif defined(INKSTONE_HAVE_GGUF)
    std::unique_ptr<engine::gguf::GgufFile> file;
#endif
};

EngineWorker::EngineWorker() = default;
EngineWorker::~EngineWorker() = default;

void EngineWorker::loadModel(quint64 loadId, const QString& path, const EngineOptions& options, const CancelFlag& cancel)
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
#ifdef INKSTONE_HAVE_RUNTIME
    engine::LoadOptions load;
    load.threads = options.threads;
    load.gpuLayers = options.gpuLayers;
    load.contextLength = options.contextLength;
    load.backend = options.backend == QLatin1String("cpu")      ? engine::BackendChoice::Cpu
        : options.backend == QLatin1String("vulkan")            ? engine::BackendChoice::Vulkan
                                                                : engine::BackendChoice::Auto;
    load.contextPolicy = options.shiftWhenFull ? engine::ContextPolicy::Shift : engine::ContextPolicy::Stop;
    if (load.backend != engine::BackendChoice::Cpu)
        GpuSupport::selectDevice(options.device);
    int lastPercent = -1;
    auto progress = [this, loadId, &lastPercent](float fraction) {
        const int percent = static_cast<int>(fraction * 100);
        if (percent != lastPercent) { // at most 101 signals per load
            lastPercent = percent;
            emit loadProgress(loadId, fraction);
        }
    };
    auto model = engine::Model::load(path.toStdString(), load, progress, cancel.get());
    if (!model) {
        emit loadFailed(loadId, path, failureOf(model.error()));
        return;
    }
    auto loaded = std::make_unique<Loaded>();
    loaded->model = model.value();
    const qint64 perSession = kvCacheBytesPerSession(path, loaded->model->info().contextLength);
    loaded->sessions = std::make_unique<SessionPool>(
        loaded->model, GenerationRequest::kOrigins,
        SessionPool::sessionsWithin(kSessionBudgetBytes, perSession, GenerationRequest::kOrigins));
    // The chat pane's session now, so a model whose cache does not fit fails at load.
    auto first = loaded->sessions->acquire(static_cast<int>(GenerationRequest::Origin::Chat));
    if (!first) {
        emit loadFailed(loadId, path, failureOf(first.error()));
        return;
    }
    const engine::ModelInfo& facts = loaded->model->info();
    ModelInfo& info = loaded->info;
    info.path = path;
    info.name = QString::fromStdString(facts.name);
    info.architecture = QString::fromStdString(facts.architecture);
    info.fileSize = static_cast<qint64>(facts.fileSize);
    info.parameterCount = static_cast<qint64>(facts.parameterCount);
    info.contextLength = facts.contextLength;
    info.backend = QString::fromStdString(facts.backendDescription);
    info.backendFallbackReason = QString::fromStdString(facts.backendFallbackReason);
    info.backendNote = noteOf(*first.value());
    if (info.backendNote.isEmpty())
        info.backendNote = partialOffloadNote(*loaded->model, options.gpuLayers);
    if (!info.backendNote.isEmpty()) {
        loaded->reportedNotes.insert(info.backendNote.detail);
        engine::logWarning("backend: " + info.backendNote.detail.toStdString());
    }
    info.hasChatTemplate = !facts.chatTemplate.empty();
    info.chatTemplate = QString::fromStdString(facts.chatTemplate);
    info.canGenerate = true;
    emit loadProgress(loadId, 1.0);
    m_loaded = std::move(loaded);
    chooseTemplate(options.chatTemplate);
    emit loadFinished(loadId, m_loaded->info);
#else
    Q_UNUSED(options);
    loadMetadataOnly(loadId, path);
#endif
}

void EngineWorker::loadMetadataOnly(quint64 loadId, const QString& path)
{
#if defined(INKSTONE_HAVE_GGUF) && !defined(INKSTONE_HAVE_RUNTIME)
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
    info.name = QString::fromStdString(file.getString("general.name").value_or(QFileInfo(path).completeBaseName().toStdString()));
    info.fileSize = static_cast<qint64>(file.fileSize());
    info.tensorCount = static_cast<int>(file.tensors().size());
    for (const auto& tensor : file.tensors())
        info.parameterCount += tensor.elementCount();
    info.contextLength = static_cast<int>(file.getInt(file.architecture() + ".context_length").value_or(0));
    info.hasChatTemplate = file.getString("tokenizer.chat_template").has_value();
    info.backend = cpuBackendName();
    info.canGenerate = false; // no inference runtime in this build
    emit loadProgress(loadId, 1.0);
    m_loaded = std::move(loaded);
    emit loadFinished(loadId, m_loaded->info);
#else
    emit loadFailed(loadId, path, {ServiceFailure::Kind::Unsupported, QStringLiteral("this build cannot read models")});
#endif
}

void EngineWorker::chooseTemplate(const ChatTemplateOverride& choice)
{
#ifdef INKSTONE_HAVE_RUNTIME
    using Mode = ChatTemplateOverride::Mode;
    const std::string& own = m_loaded->model->info().chatTemplate;
    const std::optional<std::string> modelTemplate = own.empty() ? std::nullopt : std::optional<std::string>(own);
    const std::optional<std::string> userTemplate =
        choice.mode == Mode::Custom ? std::optional<std::string>(choice.source.toStdString()) : std::nullopt;
    auto chosen = choice.mode == Mode::Builtin
        ? engine::chat::TemplateChoice{engine::chat::ChatTemplate::fallback(), std::nullopt}
        : engine::chat::chooseTemplate(userTemplate, modelTemplate);
    m_loaded->info.templateProblem.clear();
    if (chosen.problem) {
        engine::logWarning("chat template unusable, using the plain transcript format: " + chosen.problem->message());
        m_loaded->info.templateProblem = QString::fromStdString(chosen.problem->message());
    }
    m_loaded->chatTemplate = std::move(chosen.chosen);
#else
    Q_UNUSED(choice);
#endif
}

void EngineWorker::setChatTemplate(const ChatTemplateOverride& choice)
{
    if (!m_loaded)
        return;
    chooseTemplate(choice);
    emit chatTemplateApplied(m_loaded->info);
}

void EngineWorker::reportBackendNote(const BackendNote& note)
{
    if (note.isEmpty() || !m_loaded || m_loaded->reportedNotes.contains(note.detail))
        return;
    m_loaded->reportedNotes.insert(note.detail);
    engine::logWarning("backend: " + note.detail.toStdString());
    emit backendNoteReported(note);
}

void EngineWorker::unloadModel()
{
    m_loaded.reset();
    emit unloaded();
}

void EngineWorker::generate(RequestId id, const GenerationRequest& request, const CancelFlag& cancel)
{
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
#ifdef INKSTONE_HAVE_RUNTIME
    // A trailing assistant message is a reply to continue: the prompt ends with its text
    // instead of closing it as a finished turn.
    QList<ChatMessage> messages = request.messages;
    QString continuation;
    if (!messages.isEmpty() && messages.last().role == ChatMessage::Role::Assistant)
        continuation = messages.takeLast().content;
    std::vector<engine::chat::ChatMessage> chat;
    for (const ChatMessage& m : std::as_const(messages))
        chat.push_back({ChatMessage::roleName(m.role).toStdString(), m.content.toStdString()});
    const engine::ModelInfo& facts = m_loaded->model->info();
    engine::chat::ChatRequest chatRequest;
    chatRequest.messages = engine::chat::messagesValue(chat);
    chatRequest.addGenerationPrompt = true;
    if (!facts.bosText.empty())
        chatRequest.bosToken = facts.bosText;
    if (!facts.eosText.empty())
        chatRequest.eosToken = facts.eosText;
    chatRequest.now = engine::chat::currentDateTime();
    // renderForModel folds the system text into the first user turn for templates that reject
    // a system role (Gemma), which the Translate, Code and Write prompts always send.
    auto rendered = engine::chat::renderForModel(*m_loaded->chatTemplate, chatRequest);
    if (!rendered) {
        emit generationFailed(id, failureOf(rendered.error()));
        return;
    }
    std::string prompt = rendered.value().text + continuation.toStdString();
    // Templates that write the BOS text themselves must not get a second BOS.
    const bool templateHasBos = !facts.bosText.empty() && prompt.rfind(facts.bosText, 0) == 0;
    const std::vector<int32_t> tokens = m_loaded->model->tokenizer().encode(prompt, !templateHasBos, true);

    engine::SamplingParams params;
    params.temperature = static_cast<float>(request.sampling.temperature);
    params.topK = request.sampling.topK;
    params.topP = static_cast<float>(request.sampling.topP);
    params.minP = static_cast<float>(request.sampling.minP);
    params.maxTokens = request.sampling.maxTokens;
    if (request.sampling.seed != 0)
        params.seed = request.sampling.seed;
    if (request.tokenDetails)
        params.topAlternatives = 5;

    PieceBatcher batcher;
    QList<TokenInfo> details; // travels with the batch it belongs to
    auto release = [this, id, &details](const QString& batch) {
        if (!details.isEmpty()) {
            emit tokenDetailsReady(id, details);
            details.clear();
        }
        if (!batch.isEmpty())
            emit textReady(id, batch);
    };
    engine::Session* running = nullptr;
    auto onToken = [&](const engine::TokenEvent& event) {
        // A GPU that failed a moment ago: the session went on on the CPU, and the user is told
        // while the reply keeps coming.
        reportBackendNote(noteOf(*running));
        if (request.tokenDetails) {
            TokenInfo info;
            info.text = QString::fromStdString(event.text);
            info.probability = event.probability;
            for (const auto& alternative : event.alternatives)
                info.alternatives.append({QString::fromStdString(alternative.text), alternative.probability});
            details.append(info);
        }
        if (event.text.empty())
            return true;
        const QString batch = batcher.add(QString::fromStdString(event.text));
        if (!batch.isEmpty())
            release(batch);
        return true; // stopping goes through the cancel flag
    };
    // Prompt progress for the GUI: at most ~30 signals a second (the first chunk's at once), and
    // a closing 1.0 only after some were sent, so a prompt read in one step sends nothing.
    QElapsedTimer sincePrefillReport;
    bool prefillReported = false;
    auto onPrefill = [&](int done, int total) {
        if (total <= 0)
            return;
        if (done >= total) {
            if (prefillReported)
                emit promptProgress(id, 1.0);
            return;
        }
        if (prefillReported && sincePrefillReport.isValid() && sincePrefillReport.elapsed() < 34)
            return;
        prefillReported = true;
        sincePrefillReport.start();
        emit promptProgress(id, static_cast<double>(done) / total);
    };
    auto session = m_loaded->sessions->acquire(static_cast<int>(request.origin));
    if (!session) {
        emit generationFailed(id, failureOf(session.error()));
        return;
    }
    running = session.value();
    reportBackendNote(noteOf(*running)); // created just now without room on the GPU
    auto result = running->generate(tokens, params, onToken, *cancel, onPrefill);
    reportBackendNote(noteOf(*running)); // failed after the last token
    release(batcher.takeRest());
    if (!result) {
        emit generationFailed(id, failureOf(result.error()));
        return;
    }
    const engine::GenerationStats& s = result.value();
    GenerationStats stats;
    stats.promptTokens = s.promptTokens;
    stats.generatedTokens = s.generatedTokens;
    stats.timeToFirstTokenMs = s.timeToFirstTokenMs;
    stats.tokensPerSecond = s.decodeTokensPerSecond;
    stats.contextUsed = s.contextUsed;
    stats.reusedTokens = s.reusedTokens;
    stats.contextSize = session.value()->contextLength();
    stats.cancelled = s.stopReason == engine::StopReason::Cancelled;
    emit generationFinished(id, stats);
#else
    Q_UNUSED(request);
    emit generationFailed(id, {ServiceFailure::Kind::NotAvailable,
                               QStringLiteral("the inference runtime is not part of this build")});
#endif
}
