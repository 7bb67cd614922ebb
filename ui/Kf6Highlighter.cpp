#include "Kf6Highlighter.h"

#include "BuiltinHighlighter.h"

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/HtmlHighlighter>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/Theme>

#include <QBuffer>
#include <QTemporaryFile>
#include <QTimer>

Kf6Highlighter::Kf6Highlighter(QObject* parent)
    : CodeHighlighter(parent)
    , m_repository(std::make_unique<KSyntaxHighlighting::Repository>())
{
}

Kf6Highlighter::~Kf6Highlighter() = default;

void Kf6Highlighter::highlight(quint64 ticket, const QString& code, const QString& syntax)
{
    QString html;
    const KSyntaxHighlighting::Definition definition = m_repository->definitionForName(syntax);
    QTemporaryFile out;
    if (definition.isValid() && out.open()) {
        KSyntaxHighlighting::HtmlHighlighter highlighter;
        highlighter.setDefinition(definition);
        highlighter.setTheme(m_repository->theme(QStringLiteral("GitHub Light")));
        highlighter.setOutputFile(out.fileName());
        QByteArray bytes = code.toUtf8();
        QBuffer input(&bytes);
        input.open(QIODevice::ReadOnly);
        highlighter.highlightData(&input);
        QFile result(out.fileName());
        if (result.open(QIODevice::ReadOnly))
            html = QString::fromUtf8(result.readAll());
    }
    if (html.isEmpty())
        html = BuiltinHighlighter::toHtml(code, syntax);
    QTimer::singleShot(0, this, [this, ticket, html] { emit highlighted(ticket, html); });
}
