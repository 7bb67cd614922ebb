#pragma once
// Collects the text pieces the engine produces one token at a time and releases them at most
// once per interval, so the GUI thread handles ≤ 60 updates a second however fast decoding runs
// (one signal per token would flood the event loop on a small model).

#include <QElapsedTimer>
#include <QString>

class PieceBatcher {
public:
    explicit PieceBatcher(qint64 intervalMs = 16) : m_intervalMs(intervalMs) {}

    // Adds a piece; returns the batched text when the interval has passed since the last
    // release, otherwise an empty string (the text stays pending).
    QString add(const QString& piece);
    // Whatever is pending, for the end of a request.
    QString takeRest();
    bool hasPending() const { return !m_pending.isEmpty(); }

private:
    qint64 m_intervalMs;
    QString m_pending;
    QElapsedTimer m_sinceRelease;
};
