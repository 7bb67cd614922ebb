#include "SessionPool.h"

#include "runtime/Model.h"
#include "runtime/Session.h"

#include <algorithm>

SessionPool::SessionPool(std::shared_ptr<const engine::Model> model, int origins, int maxSessions)
    : m_model(std::move(model)), m_slots(static_cast<size_t>(origins)), m_maxSessions(std::clamp(maxSessions, 1, origins))
{
}

SessionPool::~SessionPool() = default;

int SessionPool::sessionsWithin(qint64 budgetBytes, qint64 bytesPerSession, int origins)
{
    if (bytesPerSession <= 0)
        return origins;
    return static_cast<int>(std::clamp<qint64>(budgetBytes / bytesPerSession, 1, origins));
}

int SessionPool::liveSessions() const
{
    return static_cast<int>(std::count_if(m_slots.begin(), m_slots.end(), [](const Slot& s) { return s.session != nullptr; }));
}

void SessionPool::releaseLeastRecentlyUsed(int except)
{
    Slot* oldest = nullptr;
    for (size_t i = 0; i < m_slots.size(); ++i) {
        Slot& s = m_slots[i];
        if (s.session && static_cast<int>(i) != except && (!oldest || s.lastUse < oldest->lastUse))
            oldest = &s;
    }
    if (oldest)
        oldest->session.reset();
}

engine::Result<engine::Session*> SessionPool::acquire(int origin)
{
    Q_ASSERT(origin >= 0 && origin < static_cast<int>(m_slots.size()));
    Slot& slot = m_slots[static_cast<size_t>(origin)];
    slot.lastUse = ++m_clock;
    if (slot.session)
        return slot.session.get();
    while (liveSessions() >= m_maxSessions)
        releaseLeastRecentlyUsed(origin);
    auto created = engine::Session::create(m_model);
    if (!created && liveSessions() > 0) {
        // Short of memory with the other panes' caches alive: they go first.
        for (Slot& s : m_slots)
            s.session.reset();
        created = engine::Session::create(m_model);
    }
    if (!created)
        return created.error();
    slot.session = std::move(created).value();
    return slot.session.get();
}
