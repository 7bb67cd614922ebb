#pragma once
// Syntax highlighting behind one interface, chosen once at start (create()):
//   1. KDE Syntax Highlighting linked in (KF6), when the build found it;
//   2. KDE's own `kate-syntax-highlighter` tool run out of process (Debian 12 ships only the
//      Qt 5 library, which cannot be linked into a Qt 6 program) — same syntaxes and themes;
//   3. a small built-in highlighter for the common languages.
// Highlighting is asynchronous: the answer arrives through highlighted() with the ticket the
// caller passed, so a late answer for older text can be recognised and dropped.

#include <QObject>

class CodeHighlighter : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Which implementation this is ("KF6", "kate-syntax-highlighter", "built-in").
    virtual QString name() const = 0;
    // syntax: a KDE syntax definition name ("C++", "Python", "Bash" ...).
    virtual void highlight(quint64 ticket, const QString& code, const QString& syntax) = 0;

    // The best implementation available, owned by parent. INKSTONE_HIGHLIGHTER=builtin|kate|kf6
    // in the environment forces a choice (tests, debugging).
    static CodeHighlighter* create(QObject* parent);

signals:
    // A complete HTML document (or fragment) with the code in a <pre>.
    void highlighted(quint64 ticket, const QString& html);
};
