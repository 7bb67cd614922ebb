#include "PieceBatcher.h"

QString PieceBatcher::add(const QString& piece)
{
    m_pending += piece;
    if (!m_sinceRelease.isValid()) {
        // The first piece goes out at once: time to first token is what people notice most.
        m_sinceRelease.start();
        return takeRest();
    }
    if (m_sinceRelease.elapsed() < m_intervalMs)
        return {};
    m_sinceRelease.restart();
    return takeRest();
}

QString PieceBatcher::takeRest()
{
    QString out;
    out.swap(m_pending);
    return out;
}
