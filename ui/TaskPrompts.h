#pragma once
// The Translate, Code and Write actions as chat messages. The prompts themselves are data: the
// presets in resources/prompts/*.json (embedded under :/prompts), loaded once into an
// engine::chat::PresetLibrary and filled with the pane's fields by buildTaskMessages(). The
// worker renders the messages through the model's chat template (renderForModel, which is what
// renderTaskPrompt does after building them), so a remote ChatService gets the same messages.
// Prompts are English on purpose (instruction-tuned models follow English best) and never shown
// as UI text.

#include "ServiceTypes.h"

#include <QList>
#include <QStringList>

namespace TaskPrompts {

struct GlossaryEntry {
    QString term;
    QString translation; // empty: keep the term as it is (do not translate)
};

// sourceLanguage empty: auto-detect. back: the literal back-translation used to check a result.
QList<ChatMessage> translate(const QString& text, const QString& sourceLanguage, const QString& targetLanguage,
                             const QList<GlossaryEntry>& glossary, bool back = false);

enum class CodeAction { Generate, Explain, Fix, AddTests, Convert };
QList<ChatMessage> code(CodeAction action, const QString& language, const QString& task, const QString& existingCode,
                        const QString& targetLanguage = {});

enum class WriteAction { Continue, Rewrite, Shorten, Expand, FixGrammar, ChangeTone, Summarize };
QList<ChatMessage> write(WriteAction action, const QString& selection, const QString& context, const QString& tone = {});

// The code block of a reply in the wanted language (or the first block; the whole reply when it
// has none), through engine::chat::extractCode.
QString extractCode(const QString& reply, const QString& language = {});
// The bare translation or replacement text of a chatty reply (engine::chat::extractPlainText).
QString extractPlainText(const QString& reply, const QString& source = {});

// The ids of the loaded presets (for tests and a future preset editor).
QStringList presetIds();

} // namespace TaskPrompts
