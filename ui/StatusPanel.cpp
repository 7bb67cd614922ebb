#include "StatusPanel.h"

#include <QFile>
#include <QLabel>
#include <QLocale>
#include <QStatusBar>
#include <QTimer>

#include <unistd.h>

StatusPanel::StatusPanel(QStatusBar* bar)
    : QObject(bar)
{
    auto make = [bar](const char* name) {
        auto* label = new QLabel(bar);
        label->setObjectName(QLatin1String(name));
        label->setContentsMargins(6, 0, 6, 0);
        bar->addPermanentWidget(label);
        return label;
    };
    m_backendNote = make("statusBackendNote");
    m_backendNote->setStyleSheet(QStringLiteral("QLabel { color: #8a5a00; font-weight: 600; }"));
    m_backendNote->hide();
    m_speed = make("statusSpeed");
    m_firstToken = make("statusFirstToken");
    m_context = make("statusContext");
    m_memory = make("statusMemory");
    m_memoryTimer = new QTimer(this);
    m_memoryTimer->setInterval(2000);
    connect(m_memoryTimer, &QTimer::timeout, this, &StatusPanel::updateMemory);
    m_memoryTimer->start();
    retranslate();
}

void StatusPanel::showStats(const GenerationStats& stats)
{
    m_stats = stats;
    m_hasStats = true;
    if (stats.contextSize > 0)
        m_contextSize = stats.contextSize;
    retranslate();
}

void StatusPanel::setContextSize(int tokens)
{
    m_contextSize = tokens;
    retranslate();
}

void StatusPanel::showBackendNote(const BackendNote& note)
{
    m_note = note;
    m_backendNote->setVisible(!note.isEmpty());
    retranslate();
}

void StatusPanel::retranslate()
{
    const QLocale locale;
    switch (m_note.kind) {
    case BackendNote::Kind::None: m_backendNote->clear(); break;
    case BackendNote::Kind::ModelOnCpu: m_backendNote->setText(tr("GPU not used: the model runs on the CPU")); break;
    case BackendNote::Kind::SessionOnCpu: m_backendNote->setText(tr("The GPU failed: continuing on the CPU")); break;
    case BackendNote::Kind::PartialOffload: m_backendNote->setText(tr("Only part of the model fits on the GPU")); break;
    }
    // The engine's own words, for the curious and for bug reports (not translated).
    m_backendNote->setToolTip(m_note.detail);
    if (m_hasStats) {
        m_speed->setText(tr("%1 tokens/s").arg(locale.toString(m_stats.tokensPerSecond, 'f', 1)));
        m_firstToken->setText(tr("first token %1 ms").arg(locale.toString(m_stats.timeToFirstTokenMs, 'f', 0)));
    } else {
        m_speed->setText(tr("– tokens/s"));
        m_firstToken->setText(tr("first token – ms"));
    }
    m_speed->setToolTip(tr("Generation speed of the last reply"));
    m_firstToken->setToolTip(tr("Time from sending to the first token of the last reply"));
    m_context->setText(tr("context %1 / %2").arg(m_hasStats ? locale.toString(m_stats.contextUsed) : QStringLiteral("–"),
                                                 m_contextSize > 0 ? locale.toString(m_contextSize) : QStringLiteral("–")));
    m_context->setToolTip(tr("Tokens of the context window in use"));
    m_memory->setToolTip(tr("Memory used by Inkstone"));
    updateMemory();
}

void StatusPanel::updateMemory()
{
    const qint64 bytes = residentMemory();
    m_memory->setText(bytes > 0 ? tr("memory %1").arg(QLocale().formattedDataSize(bytes, 1)) : QString());
}

qint64 StatusPanel::residentMemory()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    if (fields.size() < 2)
        return 0;
    return fields.at(1).toLongLong() * static_cast<qint64>(sysconf(_SC_PAGESIZE));
}
