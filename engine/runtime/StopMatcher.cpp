#include "runtime/StopMatcher.h"

#include <algorithm>

namespace engine {

StopMatcher::StopMatcher(std::vector<std::string> stopStrings)
{
    for (std::string& s : stopStrings)
        if (!s.empty())
            m_stops.push_back(std::move(s));
}

std::string StopMatcher::push(const std::string& piece)
{
    if (m_stopped)
        return {};
    m_pending += piece;
    if (m_stops.empty()) {
        std::string out;
        out.swap(m_pending);
        return out;
    }
    // The earliest complete stop string wins.
    size_t found = std::string::npos;
    for (const std::string& s : m_stops)
        found = std::min(found, m_pending.find(s));
    if (found != std::string::npos) {
        m_stopped = true;
        std::string out = m_pending.substr(0, found);
        m_pending.clear();
        return out;
    }
    // Hold back the longest tail that is a prefix of some stop string.
    size_t hold = 0;
    for (const std::string& s : m_stops) {
        const size_t maxLen = std::min(s.size() - 1, m_pending.size());
        for (size_t len = maxLen; len > hold; --len) {
            if (m_pending.compare(m_pending.size() - len, len, s, 0, len) == 0) {
                hold = len;
                break;
            }
        }
    }
    std::string out = m_pending.substr(0, m_pending.size() - hold);
    m_pending.erase(0, m_pending.size() - hold);
    return out;
}

std::string StopMatcher::flush()
{
    std::string out;
    if (!m_stopped)
        out.swap(m_pending);
    m_pending.clear();
    return out;
}

} // namespace engine
