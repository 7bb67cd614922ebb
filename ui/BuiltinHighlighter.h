#pragma once
// The last-resort highlighter: keywords, strings, comments and numbers for the languages the
// Code pane offers, written as HTML spans. Small on purpose; the KDE paths are the real ones.

#include "CodeHighlighter.h"

class BuiltinHighlighter : public CodeHighlighter {
    Q_OBJECT
public:
    using CodeHighlighter::CodeHighlighter;

    QString name() const override { return QStringLiteral("built-in"); }
    void highlight(quint64 ticket, const QString& code, const QString& syntax) override;

    // Synchronous core, for tests.
    static QString toHtml(const QString& code, const QString& syntax);
};
