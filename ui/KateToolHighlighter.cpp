#include "KateToolHighlighter.h"

#include "BuiltinHighlighter.h"

#include <QProcess>
#include <QStandardPaths>

KateToolHighlighter::KateToolHighlighter(const QString& program, QObject* parent)
    : CodeHighlighter(parent)
    , m_program(program)
{
}

KateToolHighlighter::~KateToolHighlighter()
{
    if (m_running) {
        m_running->disconnect(this);
        m_running->kill();
        m_running->waitForFinished(1000);
    }
}

QString KateToolHighlighter::findProgram()
{
    return QStandardPaths::findExecutable(QStringLiteral("kate-syntax-highlighter"));
}

void KateToolHighlighter::highlight(quint64 ticket, const QString& code, const QString& syntax)
{
    if (m_running) {
        // The newest text wins; the old process is ended and cleans up after itself.
        QProcess* old = m_running;
        old->disconnect(this);
        connect(old, &QProcess::finished, old, &QObject::deleteLater);
        old->kill();
    }
    auto* process = new QProcess(this);
    m_running = process;
    // The tool is a Qt 5 program; it needs no display, and must not try to find one.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process->setProcessEnvironment(env);
    const auto fallback = [this, ticket, code, syntax] {
        emit highlighted(ticket, BuiltinHighlighter::toHtml(code, syntax));
    };
    connect(process, &QProcess::finished, this, [this, process, fallback, ticket](int exitCode, QProcess::ExitStatus status) {
        process->deleteLater();
        const QByteArray out = process->readAllStandardOutput();
        if (status != QProcess::NormalExit || exitCode != 0 || out.isEmpty())
            fallback(); // an unknown syntax name, for instance
        else
            emit highlighted(ticket, QString::fromUtf8(out));
    });
    connect(process, &QProcess::errorOccurred, this, [process, fallback](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            process->deleteLater();
            fallback();
        }
    });
    process->start(m_program, {QStringLiteral("--stdin"), QStringLiteral("-f"), QStringLiteral("html"), QStringLiteral("-s"),
                               syntax, QStringLiteral("-t"), QStringLiteral("GitHub Light")});
    process->write(code.toUtf8());
    process->closeWriteChannel();
}
