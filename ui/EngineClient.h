#pragma once
// The local ChatService: the only object in the UI that reaches the engine. It owns a QThread
// and an EngineWorker moved into it; requests go over as queued calls carrying ids, results
// come back as queued signals. Stop sets the request's atomic cancel flag directly, so it takes
// effect even while the worker is busy inside a forward pass.

#include "ChatService.h"
#include "EngineWorker.h"

#include <QHash>
#include <QThread>

class EngineClient : public ChatService {
    Q_OBJECT
public:
    explicit EngineClient(QObject* parent = nullptr);
    ~EngineClient() override;

    void loadModel(const QString& path) override;
    void cancelLoad() override;
    void unloadModel() override;
    bool hasModel() const override { return m_hasModel; }
    ModelInfo modelInfo() const override { return m_info; }

    void setChatTemplate(const ChatTemplateOverride& choice) override;
    RequestId generate(const GenerationRequest& request) override;
    void stop(RequestId id) override;

private:
    void onLoadFinished(quint64 loadId, const ModelInfo& info);
    void onLoadFailed(quint64 loadId, const QString& path, const ServiceFailure& failure);
    void forget(RequestId id);

    QThread m_thread;
    EngineWorker* m_worker = nullptr; // lives in m_thread, deleted when it finishes
    RequestId m_nextRequest = 1;
    quint64 m_loadId = 0;
    CancelFlag m_loadCancel;
    QHash<RequestId, CancelFlag> m_cancelFlags;
    ModelInfo m_info;
    bool m_hasModel = false;
};
