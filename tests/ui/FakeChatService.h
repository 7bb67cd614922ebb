#pragma once
// A ChatService for driving the panes in tests: it "streams" a scripted reply in batches on a
// timer, as EngineClient does (≤ 60 updates a second), honours stop(), and can be told to fail.
// Models whose path contains "bad" fail to load with InvalidFile.

#include "ChatService.h"

#include <QHash>
#include <QStringList>
#include <QTimer>

#include <algorithm>
#include <optional>

class FakeChatService : public ChatService {
    Q_OBJECT
public:
    explicit FakeChatService(QObject* parent = nullptr) : ChatService(parent)
    {
        m_timer.setInterval(16);
        connect(&m_timer, &QTimer::timeout, this, &FakeChatService::tick);
    }

    // The next replies, one per generate() call; the last one repeats.
    void setReplies(const QStringList& replies) { m_replies = replies; }
    void setWordsPerBatch(int words) { m_wordsPerBatch = words; }
    void setModelName(const QString& name) { m_modelName = name; }
    void setFailure(std::optional<ServiceFailure> failure) { m_failure = std::move(failure); }
    GenerationRequest lastRequest() const { return m_lastRequest; }
    int requestCount() const { return m_requestCount; }

    void loadModel(const QString& path) override
    {
        emit modelLoadProgress(0.5);
        if (path.contains(QLatin1String("bad"))) {
            emit modelLoadFailed(path, {ServiceFailure::Kind::InvalidFile, QStringLiteral("bad magic at byte 0")});
            return;
        }
        m_info = {};
        m_info.path = path;
        m_info.name = m_modelName;
        m_info.architecture = QStringLiteral("llama");
        m_info.contextLength = 2048;
        m_info.backend = QStringLiteral("CPU · AVX2");
        m_info.canGenerate = true;
        m_hasModel = true;
        emit modelLoaded(m_info);
    }
    void cancelLoad() override {}
    void unloadModel() override
    {
        m_hasModel = false;
        emit modelUnloaded();
    }
    void setChatTemplate(const ChatTemplateOverride& choice) override
    {
        m_templateChoice = choice;
        emit chatTemplateApplied(m_info);
    }
    ChatTemplateOverride templateChoice() const { return m_templateChoice; }
    bool hasModel() const override { return m_hasModel; }
    ModelInfo modelInfo() const override { return m_info; }

    RequestId generate(const GenerationRequest& request) override
    {
        const RequestId id = ++m_nextId;
        m_lastRequest = request;
        ++m_requestCount;
        if (m_failure) {
            const ServiceFailure failure = *m_failure;
            QTimer::singleShot(0, this, [this, id, failure] { emit generationFailed(id, failure); });
            return id;
        }
        const QString reply = m_replies.isEmpty() ? QStringLiteral("Hello there.")
                                                  : m_replies.at(std::min<qsizetype>(m_requestCount - 1, m_replies.size() - 1));
        // Split keeping the spaces so the pieces concatenate back to the reply exactly.
        QStringList pieces;
        QString current;
        for (const QChar c : reply) {
            current += c;
            if (c == QLatin1Char(' ')) {
                pieces << current;
                current.clear();
            }
        }
        if (!current.isEmpty())
            pieces << current;
        m_streams.insert(id, {pieces, 0, false, request.tokenDetails});
        m_timer.start();
        return id;
    }

    void stop(RequestId id) override
    {
        if (m_streams.contains(id))
            m_streams[id].cancelled = true; // picked up on the next tick, like the engine's flag
    }

private:
    struct Stream {
        QStringList pieces;
        int next = 0;
        bool cancelled = false;
        bool wantDetails = false;
    };

    void tick()
    {
        const QList<RequestId> ids = m_streams.keys();
        for (RequestId id : ids) {
            Stream& s = m_streams[id];
            GenerationStats stats;
            stats.contextSize = 2048;
            if (s.cancelled || s.next >= s.pieces.size()) {
                stats.cancelled = s.cancelled;
                stats.generatedTokens = s.next;
                stats.tokensPerSecond = 42.5;
                stats.timeToFirstTokenMs = 120;
                stats.contextUsed = 100 + s.next;
                m_streams.remove(id);
                emit generationFinished(id, stats);
                continue;
            }
            QString batch;
            QList<TokenInfo> tokens;
            for (int i = 0; i < m_wordsPerBatch && s.next < s.pieces.size(); ++i) {
                const QString piece = s.pieces.at(s.next++);
                batch += piece;
                // A made-up but deterministic probability, lower for longer words.
                tokens.append({piece, 1.0f / static_cast<float>(piece.size()), {{QStringLiteral("alt"), 0.05f}}});
            }
            if (s.wantDetails)
                emit tokenDetailsReady(id, tokens);
            emit textReady(id, batch);
        }
        if (m_streams.isEmpty())
            m_timer.stop();
    }

    QTimer m_timer;
    QHash<RequestId, Stream> m_streams;
    QStringList m_replies;
    int m_wordsPerBatch = 2;
    std::optional<ServiceFailure> m_failure;
    GenerationRequest m_lastRequest;
    int m_requestCount = 0;
    RequestId m_nextId = 0;
    ModelInfo m_info;
    QString m_modelName = QStringLiteral("Tiny Test Model");
    bool m_hasModel = false;
    ChatTemplateOverride m_templateChoice;
};
