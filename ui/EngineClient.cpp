#include "EngineClient.h"

#include "ChatTemplateSettings.h"
#include "SettingsKeys.h"

#include <QSettings>

EngineClient::EngineClient(QObject* parent)
    : ChatService(parent)
    , m_worker(new EngineWorker)
{
    m_thread.setObjectName(QStringLiteral("inkstone-engine"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

    // Worker → client: queued, so every handler below runs on the GUI thread.
    connect(m_worker, &EngineWorker::loadProgress, this, [this](quint64 loadId, double fraction) {
        if (loadId == m_loadId)
            emit modelLoadProgress(fraction);
    }, Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::loadFinished, this, &EngineClient::onLoadFinished, Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::loadFailed, this, &EngineClient::onLoadFailed, Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::chatTemplateApplied, this, [this](const ModelInfo& info) {
        if (!m_hasModel || info.path != m_info.path)
            return; // a different model by now
        m_info = info;
        emit chatTemplateApplied(info);
    }, Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::backendNoteReported, this, [this](const BackendNote& note) {
        if (!m_hasModel)
            return; // from a model that is being replaced
        m_info.backendNote = note;
        emit backendNoteReported(note);
    }, Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::textReady, this, &ChatService::textReady, Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::tokenDetailsReady, this, &ChatService::tokenDetailsReady, Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::promptProgress, this, &ChatService::promptProgress, Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::generationFinished, this, [this](RequestId id, const GenerationStats& stats) {
        forget(id);
        emit generationFinished(id, stats);
    }, Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::generationFailed, this, [this](RequestId id, const ServiceFailure& failure) {
        forget(id);
        emit generationFailed(id, failure);
    }, Qt::QueuedConnection);
    m_thread.start();
}

EngineClient::~EngineClient()
{
    for (const auto& flag : std::as_const(m_cancelFlags))
        flag->store(true);
    if (m_loadCancel)
        m_loadCancel->store(true);
    m_thread.quit();
    m_thread.wait();
}

void EngineClient::loadModel(const QString& path)
{
    cancelLoad();
    // Running generations belong to the model being replaced.
    for (const auto& flag : std::as_const(m_cancelFlags))
        flag->store(true);
    m_hasModel = false;
    m_info = {};
    const quint64 loadId = ++m_loadId;
    m_loadCancel = std::make_shared<std::atomic<bool>>(false);
    namespace K = SettingsKeys;
    const QSettings settings;
    EngineOptions options;
    options.threads = settings.value(K::threads, K::Defaults::threads).toInt();
    options.contextLength = settings.value(K::contextSize, K::Defaults::contextSize).toInt();
    options.backend = settings.value(K::backend, K::Defaults::backend).toString();
    options.device = settings.value(K::device).toString();
    options.gpuLayers = settings.value(K::gpuLayers, K::Defaults::gpuLayers).toInt();
    options.shiftWhenFull = settings.value(K::contextOverflow, QStringLiteral("truncateMiddle")).toString() != QLatin1String("stop");
    options.chatTemplate = ChatTemplateSettings::load(path);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, loadId, path, options, cancel = m_loadCancel] {
        worker->loadModel(loadId, path, options, cancel);
    }, Qt::QueuedConnection);
}

void EngineClient::cancelLoad()
{
    if (m_loadCancel)
        m_loadCancel->store(true);
}

void EngineClient::unloadModel()
{
    cancelLoad();
    ++m_loadId; // a load still in flight is no longer wanted
    for (const auto& flag : std::as_const(m_cancelFlags))
        flag->store(true);
    const bool had = m_hasModel;
    m_hasModel = false;
    m_info = {};
    QMetaObject::invokeMethod(m_worker, &EngineWorker::unloadModel, Qt::QueuedConnection);
    if (had)
        emit modelUnloaded();
}

void EngineClient::setChatTemplate(const ChatTemplateOverride& choice)
{
    // Queued behind any running generation, so it applies from the next request on.
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, choice] { worker->setChatTemplate(choice); },
                              Qt::QueuedConnection);
}

RequestId EngineClient::generate(const GenerationRequest& request)
{
    const RequestId id = m_nextRequest++;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancelFlags.insert(id, cancel);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id, request, cancel] {
        worker->generate(id, request, cancel);
    }, Qt::QueuedConnection);
    return id;
}

void EngineClient::stop(RequestId id)
{
    if (auto flag = m_cancelFlags.value(id))
        flag->store(true);
}

void EngineClient::onLoadFinished(quint64 loadId, const ModelInfo& info)
{
    if (loadId != m_loadId)
        return; // superseded by a later load or an unload
    m_loadCancel.reset();
    m_info = info;
    m_hasModel = true;
    emit modelLoaded(info);
}

void EngineClient::onLoadFailed(quint64 loadId, const QString& path, const ServiceFailure& failure)
{
    if (loadId != m_loadId)
        return;
    m_loadCancel.reset();
    emit modelLoadFailed(path, failure);
}

void EngineClient::forget(RequestId id)
{
    m_cancelFlags.remove(id);
}
