#pragma once
// Highlighting with KDE Syntax Highlighting linked in (KF6 builds only; see CodeHighlighter.h).

#include "CodeHighlighter.h"

#include <memory>

namespace KSyntaxHighlighting {
class Repository;
}

class Kf6Highlighter : public CodeHighlighter {
    Q_OBJECT
public:
    explicit Kf6Highlighter(QObject* parent = nullptr);
    ~Kf6Highlighter() override;

    QString name() const override { return QStringLiteral("KF6"); }
    void highlight(quint64 ticket, const QString& code, const QString& syntax) override;

private:
    std::unique_ptr<KSyntaxHighlighting::Repository> m_repository;
};
