#include "CodeHighlighter.h"

#include "BuiltinHighlighter.h"
#include "KateToolHighlighter.h"

#ifdef INKSTONE_HAVE_KF6_SYNTAX
#include "Kf6Highlighter.h"
#endif

CodeHighlighter* CodeHighlighter::create(QObject* parent)
{
    const QByteArray forced = qgetenv("INKSTONE_HIGHLIGHTER");
    if (forced == "builtin")
        return new BuiltinHighlighter(parent);
#ifdef INKSTONE_HAVE_KF6_SYNTAX
    if (forced.isEmpty() || forced == "kf6")
        return new Kf6Highlighter(parent);
#endif
    const QString tool = KateToolHighlighter::findProgram();
    if (!tool.isEmpty())
        return new KateToolHighlighter(tool, parent);
    return new BuiltinHighlighter(parent);
}
