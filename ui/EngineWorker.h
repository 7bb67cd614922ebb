#pragma once
// Lives in EngineClient's thread and is the only code that calls the engine. It receives
// requests through queued calls and answers with signals carrying value types; it never touches
// a widget or a model object of the GUI thread.

#include "ServiceTypes.h"

#include <QObject>

#include <atomic>
#include <memory>

using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// The engine settings a load uses, read from QSettings on the GUI thread.
struct EngineOptions {
    int threads = 0;           // 0: automatic
    int contextLength = 0;     // 0: the engine's default cap
    QString backend = QStringLiteral("auto"); // "auto" | "cpu" | "vulkan"
    QString device;            // GPU device name (part) or index, "" for the automatic choice
    int gpuLayers = -1;        // layers on the GPU, -1: as many as fit
    bool shiftWhenFull = true; // drop the oldest tokens (keeping the start) instead of stopping
    ChatTemplateOverride chatTemplate; // this model file's template choice
};

class EngineWorker : public QObject {
    Q_OBJECT
public:
    EngineWorker();
    ~EngineWorker() override;

    // The cancel flags are set by the GUI thread and only read here: the worker never resets
    // them, so a Stop pressed before the work starts is not lost.
    void loadModel(quint64 loadId, const QString& path, const EngineOptions& options, const CancelFlag& cancel);
    void unloadModel();
    void generate(RequestId id, const GenerationRequest& request, const CancelFlag& cancel);
    // Re-chooses the loaded model's chat template; chatTemplateApplied follows.
    void setChatTemplate(const ChatTemplateOverride& choice);

signals:
    void loadProgress(quint64 loadId, double fraction);
    void loadFinished(quint64 loadId, const ModelInfo& info);
    void loadFailed(quint64 loadId, const QString& path, const ServiceFailure& failure);
    void unloaded();
    void chatTemplateApplied(const ModelInfo& info);
    void backendNoteReported(const BackendNote& note); // see ChatService::backendNoteReported
    void textReady(RequestId id, const QString& text);
    void tokenDetailsReady(RequestId id, const QList<TokenInfo>& tokens);
    void promptProgress(RequestId id, double fraction); // see ChatService::promptProgress
    void generationFinished(RequestId id, const GenerationStats& stats);
    void generationFailed(RequestId id, const ServiceFailure& failure);

private:
    void loadMetadataOnly(quint64 loadId, const QString& path);
    void chooseTemplate(const ChatTemplateOverride& choice);
    // Logs a note and reports it, unless this model already reported the same text.
    void reportBackendNote(const BackendNote& note);
    struct Loaded;
    std::unique_ptr<Loaded> m_loaded;
};
