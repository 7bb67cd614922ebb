#include "BuiltinHighlighter.h"

#include <QRegularExpression>
#include <QSet>
#include <QTimer>

namespace {

QSet<QString> keywordsFor(const QString& syntax)
{
    static const QStringList cLike = {
        QStringLiteral("if"), QStringLiteral("else"), QStringLiteral("for"), QStringLiteral("while"), QStringLiteral("do"),
        QStringLiteral("return"), QStringLiteral("break"), QStringLiteral("continue"), QStringLiteral("switch"),
        QStringLiteral("case"), QStringLiteral("default"), QStringLiteral("const"), QStringLiteral("static"),
        QStringLiteral("struct"), QStringLiteral("class"), QStringLiteral("public"), QStringLiteral("private"),
        QStringLiteral("protected"), QStringLiteral("new"), QStringLiteral("true"), QStringLiteral("false"),
        QStringLiteral("void"), QStringLiteral("int"), QStringLiteral("char"), QStringLiteral("bool"),
        QStringLiteral("float"), QStringLiteral("double"), QStringLiteral("long"), QStringLiteral("unsigned"),
        QStringLiteral("auto"), QStringLiteral("namespace"), QStringLiteral("using"), QStringLiteral("template"),
        QStringLiteral("typename"), QStringLiteral("include"), QStringLiteral("import"), QStringLiteral("package"),
        QStringLiteral("function"), QStringLiteral("let"), QStringLiteral("var"), QStringLiteral("fn"),
        QStringLiteral("mut"), QStringLiteral("impl"), QStringLiteral("pub"), QStringLiteral("use"),
        QStringLiteral("func"), QStringLiteral("interface"), QStringLiteral("enum"), QStringLiteral("try"),
        QStringLiteral("catch"), QStringLiteral("throw"), QStringLiteral("null"), QStringLiteral("nullptr"),
        QStringLiteral("this"), QStringLiteral("self"), QStringLiteral("async"), QStringLiteral("await"),
        QStringLiteral("export"), QStringLiteral("extends"), QStringLiteral("implements"), QStringLiteral("match"),
        QStringLiteral("string"), QStringLiteral("type"), QStringLiteral("virtual"), QStringLiteral("override")};
    static const QStringList python = {
        QStringLiteral("def"), QStringLiteral("class"), QStringLiteral("return"), QStringLiteral("if"),
        QStringLiteral("elif"), QStringLiteral("else"), QStringLiteral("for"), QStringLiteral("while"),
        QStringLiteral("in"), QStringLiteral("not"), QStringLiteral("and"), QStringLiteral("or"),
        QStringLiteral("import"), QStringLiteral("from"), QStringLiteral("as"), QStringLiteral("with"),
        QStringLiteral("try"), QStringLiteral("except"), QStringLiteral("finally"), QStringLiteral("raise"),
        QStringLiteral("None"), QStringLiteral("True"), QStringLiteral("False"), QStringLiteral("lambda"),
        QStringLiteral("yield"), QStringLiteral("pass"), QStringLiteral("break"), QStringLiteral("continue"),
        QStringLiteral("self"), QStringLiteral("async"), QStringLiteral("await"), QStringLiteral("is")};
    static const QStringList shell = {
        QStringLiteral("if"), QStringLiteral("then"), QStringLiteral("else"), QStringLiteral("elif"),
        QStringLiteral("fi"), QStringLiteral("for"), QStringLiteral("in"), QStringLiteral("do"),
        QStringLiteral("done"), QStringLiteral("while"), QStringLiteral("case"), QStringLiteral("esac"),
        QStringLiteral("function"), QStringLiteral("return"), QStringLiteral("local"), QStringLiteral("export"),
        QStringLiteral("echo"), QStringLiteral("set")};
    static const QStringList sql = {
        QStringLiteral("select"), QStringLiteral("from"), QStringLiteral("where"), QStringLiteral("insert"),
        QStringLiteral("into"), QStringLiteral("values"), QStringLiteral("update"), QStringLiteral("set"),
        QStringLiteral("delete"), QStringLiteral("create"), QStringLiteral("table"), QStringLiteral("join"),
        QStringLiteral("on"), QStringLiteral("group"), QStringLiteral("by"), QStringLiteral("order"),
        QStringLiteral("and"), QStringLiteral("or"), QStringLiteral("not"), QStringLiteral("null"),
        QStringLiteral("primary"), QStringLiteral("key"), QStringLiteral("as"), QStringLiteral("limit")};
    const QStringList& list = syntax == QLatin1String("Python") ? python
        : syntax == QLatin1String("Bash")                       ? shell
        : syntax == QLatin1String("SQL")                        ? sql
                                                                : cLike;
    return QSet<QString>(list.begin(), list.end());
}

} // namespace

QString BuiltinHighlighter::toHtml(const QString& code, const QString& syntax)
{
    const bool hashComments = syntax == QLatin1String("Python") || syntax == QLatin1String("Bash");
    const bool sqlComments = syntax == QLatin1String("SQL");
    const bool caseInsensitive = syntax == QLatin1String("SQL");
    const QSet<QString> keywords = keywordsFor(syntax);
    // One alternation, tried left to right at each position: comments, strings, numbers, words.
    const QString comment = hashComments ? QStringLiteral("#[^\\n]*")
        : sqlComments                    ? QStringLiteral("--[^\\n]*")
                                         : QStringLiteral("//[^\\n]*|/\\*[\\s\\S]*?\\*/");
    static const QString rest = QStringLiteral(
        "|(\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])*'|`[^`]*`)"
        "|(\\b\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?[a-zA-Z]*\\b|\\b0x[0-9a-fA-F]+\\b)"
        "|([A-Za-z_][A-Za-z0-9_]*)");
    const QRegularExpression tokens(QStringLiteral("(") + comment + QStringLiteral(")") + rest);
    QString html = QStringLiteral("<pre style=\"margin:0\">");
    qsizetype last = 0;
    auto it = tokens.globalMatch(code);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        html += code.mid(last, m.capturedStart() - last).toHtmlEscaped();
        const QString text = m.captured().toHtmlEscaped();
        if (m.capturedLength(1) > 0)
            html += QStringLiteral("<span style=\"color:#6a737d\">%1</span>").arg(text);
        else if (m.capturedLength(2) > 0)
            html += QStringLiteral("<span style=\"color:#032f62\">%1</span>").arg(text);
        else if (m.capturedLength(3) > 0)
            html += QStringLiteral("<span style=\"color:#005cc5\">%1</span>").arg(text);
        else if (keywords.contains(caseInsensitive ? m.captured().toLower() : m.captured()))
            html += QStringLiteral("<span style=\"color:#d73a49\">%1</span>").arg(text);
        else
            html += text;
        last = m.capturedEnd();
    }
    html += code.mid(last).toHtmlEscaped();
    html += QStringLiteral("</pre>");
    return html;
}

void BuiltinHighlighter::highlight(quint64 ticket, const QString& code, const QString& syntax)
{
    const QString html = toHtml(code, syntax);
    // Asynchronous like the other implementations, so callers have a single code path.
    QTimer::singleShot(0, this, [this, ticket, html] { emit highlighted(ticket, html); });
}
