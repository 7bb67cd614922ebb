#include "GenerationTracker.h"

GenerationTracker::GenerationTracker(ChatService* service, QObject* parent)
    : QObject(parent)
    , m_service(service)
{
    connect(service, &ChatService::textReady, this, &GenerationTracker::onText);
    connect(service, &ChatService::generationFinished, this, &GenerationTracker::onFinished);
    connect(service, &ChatService::generationFailed, this, &GenerationTracker::onFailed);
    connect(service, &ChatService::tokenDetailsReady, this, [this](RequestId id, const QList<TokenInfo>& tokens) {
        if (id == m_id && id != 0)
            m_tokens += tokens;
    });
}

void GenerationTracker::start(const GenerationRequest& request)
{
    if (!m_service)
        return;
    if (m_id != 0)
        m_service->stop(m_id);
    m_text.clear();
    m_tokens.clear();
    m_id = m_service->generate(request);
    emit started();
    emit busyChanged(true);
}

void GenerationTracker::stop()
{
    if (m_id != 0 && m_service)
        m_service->stop(m_id);
}

void GenerationTracker::onText(RequestId id, const QString& piece)
{
    if (id != m_id || id == 0)
        return;
    m_text += piece;
    emit textChanged(m_text, piece);
}

void GenerationTracker::onFinished(RequestId id, const GenerationStats& stats)
{
    if (id != m_id || id == 0)
        return;
    m_id = 0;
    emit finished(stats);
    emit busyChanged(false);
}

void GenerationTracker::onFailed(RequestId id, const ServiceFailure& failure)
{
    if (id != m_id || id == 0)
        return;
    m_id = 0;
    emit failed(failure);
    emit busyChanged(false);
}
