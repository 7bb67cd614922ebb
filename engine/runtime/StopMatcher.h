#pragma once
// Finds stop strings in streamed text that arrives in pieces. Text that could still turn out to
// be the start of a stop string is held back, so a stop string is never shown, not even in part.

#include <string>
#include <vector>

namespace engine {

class StopMatcher {
public:
    explicit StopMatcher(std::vector<std::string> stopStrings);

    // Adds a piece; returns the text that is now safe to show. Once a stop string is found,
    // returns the text before it and stopped() becomes true (later pieces are ignored).
    std::string push(const std::string& piece);
    // End of stream: everything still held back (empty after a stop).
    std::string flush();
    bool stopped() const { return m_stopped; }

private:
    std::vector<std::string> m_stops;
    std::string m_pending;
    bool m_stopped = false;
};

} // namespace engine
