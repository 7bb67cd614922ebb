#pragma once
// The status bar's permanent fields: where the model runs when that is not where it was asked to
// (a backend note), speed, time to first token, context use and memory.

#include "ServiceTypes.h"

#include <QObject>

class QLabel;
class QStatusBar;
class QTimer;

class StatusPanel : public QObject {
    Q_OBJECT
public:
    explicit StatusPanel(QStatusBar* bar);

    void showStats(const GenerationStats& stats);
    void setContextSize(int tokens);
    // Shown until the next model load or unload; an empty note hides the field.
    void showBackendNote(const BackendNote& note);
    void retranslate();
    // Resident memory of this process in bytes (Linux /proc), 0 when unknown.
    static qint64 residentMemory();

private:
    void updateMemory();

    GenerationStats m_stats;
    bool m_hasStats = false;
    int m_contextSize = 0;
    BackendNote m_note;
    QLabel* m_backendNote = nullptr;
    QLabel* m_speed = nullptr;
    QLabel* m_firstToken = nullptr;
    QLabel* m_context = nullptr;
    QLabel* m_memory = nullptr;
    QTimer* m_memoryTimer = nullptr;
};
