#include "TaskPrompts.h"

#include "chat/PostProcess.h"
#include "chat/TaskPrompt.h"

#include <QFile>
#include <QtGlobal>

namespace TaskPrompts {

namespace chat = engine::chat;

namespace {

const chat::PresetLibrary& library()
{
    static const chat::PresetLibrary lib = [] {
        chat::PresetLibrary l;
        for (const char* name : {"write.json", "translate.json", "code.json"}) {
            QFile file(QStringLiteral(":/prompts/") + QLatin1String(name));
            if (!file.open(QIODevice::ReadOnly)) {
                qWarning("prompt presets: cannot read :/prompts/%s", name);
                continue;
            }
            const QByteArray text = file.readAll();
            auto added = l.addJson(std::string_view(text.constData(), static_cast<size_t>(text.size())), name);
            if (!added)
                qWarning("prompt presets: %s", added.error().message().c_str());
        }
        return l;
    }();
    return lib;
}

std::string str(const QString& s) { return s.toStdString(); }

chat::Value stringList(const QStringList& items)
{
    chat::ValueList list;
    for (const QString& item : items)
        list.push_back(chat::Value::string(str(item)));
    return chat::Value::list(std::move(list));
}

void setField(chat::TaskFields& fields, const char* name, chat::Value value)
{
    fields.emplace_back(chat::Value::string(name), std::move(value));
}

// The preset's messages, or (only if the embedded presets are broken, a build error) the bare
// input as a user turn, with a warning.
QList<ChatMessage> build(const char* id, const chat::TaskFields& fields, const QString& input)
{
    const chat::TaskPreset* preset = library().find(id);
    if (!preset) {
        qWarning("prompt presets: no preset %s", id);
        return {{ChatMessage::Role::User, input}};
    }
    auto messages = chat::buildTaskMessages(*preset, fields);
    if (!messages) {
        qWarning("prompt preset %s: %s", id, messages.error().message().c_str());
        return {{ChatMessage::Role::User, input}};
    }
    QList<ChatMessage> out;
    for (const chat::ChatMessage& m : *messages)
        out.append({ChatMessage::roleFromName(QString::fromStdString(m.role)), QString::fromStdString(m.content)});
    return out;
}

} // namespace

QList<ChatMessage> translate(const QString& text, const QString& sourceLanguage, const QString& targetLanguage,
                             const QList<GlossaryEntry>& glossary, bool back)
{
    chat::TaskFields fields;
    setField(fields, "text", chat::Value::string(str(text)));
    setField(fields, "source_language",
             chat::Value::string(sourceLanguage.isEmpty() ? std::string("auto") : str(sourceLanguage)));
    setField(fields, "target_language", chat::Value::string(str(targetLanguage)));
    chat::ValueList terms;
    QStringList keep;
    for (const auto& entry : glossary) {
        const QString term = entry.term.trimmed();
        if (term.isEmpty())
            continue;
        if (entry.translation.trimmed().isEmpty()) {
            keep << term;
        } else {
            terms.push_back(chat::Value::dict({{chat::Value::string("term"), chat::Value::string(str(term))},
                                               {chat::Value::string("translation"),
                                                chat::Value::string(str(entry.translation.trimmed()))}}));
        }
    }
    if (!terms.empty())
        setField(fields, "glossary", chat::Value::list(std::move(terms)));
    if (!keep.isEmpty())
        setField(fields, "do_not_translate", stringList(keep));
    return build(back ? "translate.back" : "translate.translate", fields, text);
}

QList<ChatMessage> code(CodeAction action, const QString& language, const QString& task, const QString& existingCode,
                        const QString& targetLanguage)
{
    chat::TaskFields fields;
    setField(fields, "language", chat::Value::string(str(language)));
    if (!task.trimmed().isEmpty())
        setField(fields, "description", chat::Value::string(str(task.trimmed())));
    if (!existingCode.trimmed().isEmpty())
        setField(fields, "code", chat::Value::string(str(existingCode)));
    if (action == CodeAction::Convert)
        setField(fields, "target_language", chat::Value::string(str(targetLanguage)));
    const char* id = "code.generate";
    switch (action) {
    case CodeAction::Generate: id = "code.generate"; break;
    case CodeAction::Explain: id = "code.explain"; break;
    case CodeAction::Fix: id = "code.fix"; break;
    case CodeAction::AddTests: id = "code.tests"; break;
    case CodeAction::Convert: id = "code.convert"; break;
    }
    return build(id, fields, action == CodeAction::Generate ? task : existingCode);
}

QList<ChatMessage> write(WriteAction action, const QString& selection, const QString& context, const QString& tone)
{
    chat::TaskFields fields;
    setField(fields, "selection", chat::Value::string(str(selection)));
    if (!context.trimmed().isEmpty() && context != selection)
        setField(fields, "context", chat::Value::string(str(context)));
    const char* id = "write.rewrite";
    switch (action) {
    case WriteAction::Continue: id = "write.continue"; break;
    case WriteAction::Rewrite: id = "write.rewrite"; break;
    case WriteAction::Shorten: id = "write.shorten"; break;
    case WriteAction::Expand: id = "write.expand"; break;
    case WriteAction::FixGrammar: id = "write.fix"; break;
    case WriteAction::ChangeTone:
        id = "write.rewrite";
        setField(fields, "tone", chat::Value::string(str(tone)));
        break;
    case WriteAction::Summarize: id = "write.summarize"; break;
    }
    return build(id, fields, selection);
}

QString extractCode(const QString& reply, const QString& language)
{
    return QString::fromStdString(chat::extractCode(str(reply), str(language)).code);
}

QString extractPlainText(const QString& reply, const QString& source)
{
    return QString::fromStdString(chat::extractPlainText(str(reply), str(source)));
}

QStringList presetIds()
{
    QStringList ids;
    for (const chat::TaskPreset& p : library().presets())
        ids << QString::fromStdString(p.id);
    return ids;
}

} // namespace TaskPrompts
