#include "TaskPrompts.h"

#include <QRegularExpression>

namespace TaskPrompts {

namespace {
ChatMessage system(const QString& text) { return {ChatMessage::Role::System, text}; }
ChatMessage user(const QString& text) { return {ChatMessage::Role::User, text}; }
} // namespace

QList<ChatMessage> translate(const QString& text, const QString& sourceLanguage, const QString& targetLanguage,
                             const QList<GlossaryEntry>& glossary)
{
    QString instructions = QStringLiteral(
        "You are a professional translator. Translate the user's text %1into %2. Write natural, idiomatic %2 "
        "as a native speaker would, not word for word. Keep the meaning, tone and formatting: line breaks, "
        "Markdown, code blocks, URLs and placeholders stay exactly as they are. Reply with the translation only.")
        .arg(sourceLanguage.isEmpty() ? QString() : QStringLiteral("from %1 ").arg(sourceLanguage), targetLanguage);
    QStringList rules;
    for (const auto& entry : glossary) {
        if (entry.term.trimmed().isEmpty())
            continue;
        if (entry.translation.trimmed().isEmpty())
            rules << QStringLiteral("- \"%1\": do not translate, keep it as is").arg(entry.term.trimmed());
        else
            rules << QStringLiteral("- \"%1\" → \"%2\"").arg(entry.term.trimmed(), entry.translation.trimmed());
    }
    if (!rules.isEmpty())
        instructions += QStringLiteral("\n\nAlways use this glossary:\n") + rules.join(QLatin1Char('\n'));
    return {system(instructions), user(text)};
}

QList<ChatMessage> code(CodeAction action, const QString& language, const QString& task, const QString& existingCode,
                        const QString& targetLanguage)
{
    const QString sys = QStringLiteral(
        "You are an expert %1 programmer. Write correct, idiomatic, well-structured code. When you reply with "
        "code, put it in one fenced Markdown block tagged with the language.").arg(language);
    const QString code = existingCode.trimmed().isEmpty() ? QString()
        : QStringLiteral("\n\n```\n%1\n```").arg(existingCode);
    const QString note = task.trimmed().isEmpty() ? QString() : QStringLiteral("\n\nNotes: %1").arg(task.trimmed());
    QString ask;
    switch (action) {
    case CodeAction::Generate:
        ask = QStringLiteral("Write %1 code for this task: %2%3").arg(language, task.trimmed(),
            code.isEmpty() ? QString() : QStringLiteral("\n\nBuild on this existing code:") + code);
        break;
    case CodeAction::Explain:
        ask = QStringLiteral("Explain what this %1 code does, step by step, in plain words.%2%3").arg(language, code, note);
        break;
    case CodeAction::Fix:
        ask = QStringLiteral("Find and fix the bugs in this %1 code. Reply with the corrected code, then list the "
                             "fixes briefly.%2%3").arg(language, code, note);
        break;
    case CodeAction::AddTests:
        ask = QStringLiteral("Write unit tests for this %1 code, using the usual test framework for %1.%2%3")
                  .arg(language, code, note);
        break;
    case CodeAction::Convert:
        ask = QStringLiteral("Convert this %1 code to idiomatic %2, keeping its behaviour.%3%4")
                  .arg(language, targetLanguage, code, note);
        break;
    }
    return {system(sys), user(ask)};
}

QList<ChatMessage> write(WriteAction action, const QString& selection, const QString& context, const QString& tone)
{
    const QString sys = QStringLiteral(
        "You are a careful editor. Reply with the resulting text only: no preamble, no quotes, no explanation. "
        "Keep the language and the Markdown formatting of the original.");
    QString ask;
    switch (action) {
    case WriteAction::Continue:
        ask = QStringLiteral("Continue this text naturally for a paragraph or two. Reply with the new text only.");
        break;
    case WriteAction::Rewrite: ask = QStringLiteral("Rewrite this text so it reads clearly and well."); break;
    case WriteAction::Shorten: ask = QStringLiteral("Make this text about half as long, keeping what matters."); break;
    case WriteAction::Expand: ask = QStringLiteral("Expand this text with relevant detail, about twice as long."); break;
    case WriteAction::FixGrammar:
        ask = QStringLiteral("Fix spelling, grammar and punctuation in this text. Change nothing else.");
        break;
    case WriteAction::ChangeTone: ask = QStringLiteral("Rewrite this text in a %1 tone.").arg(tone); break;
    case WriteAction::Summarize: ask = QStringLiteral("Summarize this text in a few sentences."); break;
    }
    QString body = ask + QStringLiteral("\n\nText:\n") + selection;
    if (!context.trimmed().isEmpty() && context != selection)
        body = QStringLiteral("For context, the document so far:\n") + context.right(4000) + QStringLiteral("\n\n") + body;
    return {system(sys), user(body)};
}

QString extractCode(const QString& reply)
{
    static const QRegularExpression fence(QStringLiteral("```[^\\n]*\\n([\\s\\S]*?)(?:```|$)"));
    const QRegularExpressionMatch m = fence.match(reply);
    if (!m.hasMatch())
        return reply.trimmed();
    QString code = m.captured(1);
    if (code.endsWith(QLatin1Char('\n')))
        code.chop(1);
    return code;
}

} // namespace TaskPrompts
