#pragma once
// The instructions behind the Translate, Code and Write actions, as chat messages. Prompts are
// English on purpose (instruction-tuned models follow English best) and never shown as UI text.

#include "ServiceTypes.h"

#include <QList>
#include <QPair>

namespace TaskPrompts {

struct GlossaryEntry {
    QString term;
    QString translation; // empty: keep the term as it is (do not translate)
};

QList<ChatMessage> translate(const QString& text, const QString& sourceLanguage, const QString& targetLanguage,
                             const QList<GlossaryEntry>& glossary);

enum class CodeAction { Generate, Explain, Fix, AddTests, Convert };
QList<ChatMessage> code(CodeAction action, const QString& language, const QString& task, const QString& existingCode,
                        const QString& targetLanguage = {});

enum class WriteAction { Continue, Rewrite, Shorten, Expand, FixGrammar, ChangeTone, Summarize };
QList<ChatMessage> write(WriteAction action, const QString& selection, const QString& context, const QString& tone = {});

// The first fenced code block of a reply (its body), or the whole reply when it has none.
QString extractCode(const QString& reply);

} // namespace TaskPrompts
