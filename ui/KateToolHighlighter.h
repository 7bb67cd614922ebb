#pragma once
// Highlighting by KDE's `kate-syntax-highlighter` command-line tool, out of process: the code
// goes in on stdin, HTML comes back on stdout. One process per request (about 30 ms for a few
// hundred lines); the newest request wins and older ones are killed.

#include "CodeHighlighter.h"

#include <QPointer>

class QProcess;

class KateToolHighlighter : public CodeHighlighter {
    Q_OBJECT
public:
    explicit KateToolHighlighter(const QString& program, QObject* parent = nullptr);
    ~KateToolHighlighter() override;

    QString name() const override { return QStringLiteral("kate-syntax-highlighter"); }
    void highlight(quint64 ticket, const QString& code, const QString& syntax) override;

    // The tool's path, or "" when it is not installed.
    static QString findProgram();

private:
    QString m_program;
    QPointer<QProcess> m_running;
};
