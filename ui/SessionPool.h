#pragma once
// The engine sessions of one loaded model, one per origin (the pane that asks), so each pane
// keeps its own KV cache and its follow-ups reuse their prefix after another pane has run.
// Sessions are created on first use, and at most maxSessions live at once: asking for another
// releases the least recently used one (whose next request then reads its prompt again, as a
// single shared session always did). Lives in the engine worker's thread only.

#include "core/Result.h"

#include <QtGlobal>

#include <memory>
#include <vector>

namespace engine {
class Model;
class Session;
}

class SessionPool {
public:
    SessionPool(std::shared_ptr<const engine::Model> model, int origins, int maxSessions);
    ~SessionPool();
    SessionPool(const SessionPool&) = delete;
    SessionPool& operator=(const SessionPool&) = delete;

    // The session of origin (0 <= origin < origins). Errors: those of Session::create, after
    // releasing every other session and trying once more.
    engine::Result<engine::Session*> acquire(int origin);

    int liveSessions() const;
    int maxSessions() const { return m_maxSessions; }

    // Sessions that fit in budgetBytes of KV cache, between 1 and origins (origins when the
    // size per session is unknown, 0).
    static int sessionsWithin(qint64 budgetBytes, qint64 bytesPerSession, int origins);

private:
    void releaseLeastRecentlyUsed(int except);

    struct Slot {
        std::unique_ptr<engine::Session> session;
        quint64 lastUse = 0;
    };
    std::shared_ptr<const engine::Model> m_model;
    std::vector<Slot> m_slots;
    int m_maxSessions;
    quint64 m_clock = 0;
};
