#pragma once
// One pane's view of its own running request: it filters the service's signals by request id,
// so several panes can share one ChatService without seeing each other's text.

#include "ChatService.h"

#include <QObject>
#include <QPointer>

class GenerationTracker : public QObject {
    Q_OBJECT
public:
    explicit GenerationTracker(ChatService* service, QObject* parent = nullptr);

    ChatService* service() const { return m_service; }
    // Starts a request (stopping one still running). The text so far is available as text().
    void start(const GenerationRequest& request);
    void stop();
    bool isBusy() const { return m_id != 0; }
    QString text() const { return m_text; }
    // Per-token details of the current or last request (when it asked for them).
    QList<TokenInfo> tokens() const { return m_tokens; }

signals:
    void started();
    void textChanged(const QString& fullText, const QString& newPiece);
    void finished(const GenerationStats& stats);
    void failed(const ServiceFailure& failure);
    void busyChanged(bool busy);

private:
    void onText(RequestId id, const QString& piece);
    void onFinished(RequestId id, const GenerationStats& stats);
    void onFailed(RequestId id, const ServiceFailure& failure);

    QPointer<ChatService> m_service;
    RequestId m_id = 0;
    QString m_text;
    QList<TokenInfo> m_tokens;
};
