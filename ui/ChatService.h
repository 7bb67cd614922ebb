#pragma once
// What the panes see: "a chat/completion service that streams tokens". EngineClient implements
// it over the local engine; a remote OpenAI-compatible client can implement it later, and the
// tests drive the panes with a fake. Every signal is emitted on the GUI thread.

#include "ServiceTypes.h"

#include <QObject>

class ChatService : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~ChatService() override = default;

    // Loading replaces the current model. Progress, then modelLoaded or modelLoadFailed follow.
    virtual void loadModel(const QString& path) = 0;
    // Cancels a load in progress, if any.
    virtual void cancelLoad() = 0;
    virtual void unloadModel() = 0;
    virtual bool hasModel() const = 0;
    virtual ModelInfo modelInfo() const = 0;

    // Chooses the chat template for the loaded model's prompts (the model's, the user's text or
    // the built-in format); chatTemplateApplied follows with the model info updated.
    virtual void setChatTemplate(const ChatTemplateOverride& choice) = 0;

    // Queues a generation; its text arrives through textReady, in batches.
    virtual RequestId generate(const GenerationRequest& request) = 0;
    // Asks the request to stop; generationFinished follows with stats.cancelled set.
    virtual void stop(RequestId id) = 0;

signals:
    void modelLoadProgress(double fraction);
    void modelLoaded(const ModelInfo& info);
    void modelLoadFailed(const QString& path, const ServiceFailure& failure);
    void modelUnloaded();
    void chatTemplateApplied(const ModelInfo& info);
    // A session of the loaded model moved off the GPU after the load (a GPU failure while it
    // was created or mid-generation); the generation goes on. Once per distinct note and model.
    void backendNoteReported(const BackendNote& note);

    void textReady(RequestId id, const QString& text);
    // With GenerationRequest::tokenDetails: the tokens behind the text, emitted just before the
    // textReady of the same batch.
    void tokenDetailsReady(RequestId id, const QList<TokenInfo>& tokens);
    // While a long prompt is read (prefilled): the fraction done, at most ~30 times a second;
    // 1.0 when reading ends. A prompt read in one step sends none.
    void promptProgress(RequestId id, double fraction);
    void generationFinished(RequestId id, const GenerationStats& stats);
    void generationFailed(RequestId id, const ServiceFailure& failure);
};
