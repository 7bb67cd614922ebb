// inkstone-cli template (-m MODEL | --template FILE.jinja) --messages FILE.json ...: the prompt
// text a chat template makes of a conversation, rendered exactly as Hugging Face transformers'
// apply_chat_template would (see DESIGN.md's CLI contract).

#include "Verb.h"

#include "chat/ChatTemplate.h"
#include "chat/Json.h"
#include "chat/ModelChatInfo.h"
#include "gguf/GgufFile.h"

#include <QFile>
#include <QRegularExpression>

#include <cstdio>
#include <optional>
#include <string>

namespace chat = engine::chat;

namespace {

const char kUsage[] =
    "Usage: inkstone-cli template (-m MODEL | --template FILE.jinja) --messages FILE.json\n"
    "                             [--no-generation-prompt] [--bos TEXT] [--eos TEXT] [--date YYYY-MM-DD]\n"
    "\n"
    "Renders a conversation through a chat template and prints the prompt exactly, adding\n"
    "nothing (no trailing newline). The template sees the variables transformers passes:\n"
    "messages, add_generation_prompt, tools = none, documents = none, bos_token/eos_token\n"
    "(from the model or the flags; undefined when neither has them), and strftime_now().\n"
    "\n"
    "Options:\n"
    "  -m, --model MODEL       take tokenizer.chat_template and the BOS/EOS token texts from\n"
    "                          this GGUF (a model without a template gets Inkstone's plain\n"
    "                          transcript format)\n"
    "  --template FILE.jinja   use this template text instead (with -m: the model still\n"
    "                          supplies BOS/EOS)\n"
    "  --messages FILE.json    [{\"role\": \"...\", \"content\": \"...\"}, ...]\n"
    "  --no-generation-prompt  add_generation_prompt = false (default true)\n"
    "  --bos TEXT, --eos TEXT  bos_token / eos_token text (overrides the model's)\n"
    "  --date YYYY-MM-DD       the day strftime_now() formats, at 12:00:00 (default: now)\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 ok, 1 bad usage, 2 unreadable file or template error.\n";

std::optional<std::string> readFile(const QString& path, QString& error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        error = QStringLiteral("cannot read '%1': %2").arg(path, f.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = f.readAll();
    return std::string(bytes.constData(), static_cast<size_t>(bytes.size()));
}

int runTemplate(const QStringList& args)
{
    QString modelPath, templatePath, messagesPath, date;
    std::optional<std::string> bos, eos;
    bool generationPrompt = true;
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(kUsage, stdout);
            return cli::ExitOk;
        }
        if (a == QLatin1String("--no-generation-prompt")) {
            generationPrompt = false;
            continue;
        }
        static const QStringList withValue = {QStringLiteral("-m"),    QStringLiteral("--model"),
                                              QStringLiteral("--template"), QStringLiteral("--messages"),
                                              QStringLiteral("--bos"), QStringLiteral("--eos"),
                                              QStringLiteral("--date")};
        if (!withValue.contains(a))
            return cli::failUsage(QStringLiteral("unknown option '%1' (see inkstone-cli template --help)").arg(a));
        if (i + 1 >= args.size())
            return cli::failUsage(QStringLiteral("%1 needs a value (see inkstone-cli template --help)").arg(a));
        const QString value = args.at(++i);
        if (a == QLatin1String("-m") || a == QLatin1String("--model"))
            modelPath = value;
        else if (a == QLatin1String("--template"))
            templatePath = value;
        else if (a == QLatin1String("--messages"))
            messagesPath = value;
        else if (a == QLatin1String("--bos"))
            bos = value.toStdString();
        else if (a == QLatin1String("--eos"))
            eos = value.toStdString();
        else
            date = value;
    }
    if (modelPath.isEmpty() && templatePath.isEmpty())
        return cli::failUsage(QStringLiteral("give a model (-m) or a template (--template); see --help"));
    if (messagesPath.isEmpty())
        return cli::failUsage(QStringLiteral("--messages FILE.json is required; see --help"));

    chat::ChatRequest request;
    request.addGenerationPrompt = generationPrompt;
    request.now = chat::currentDateTime();
    if (!date.isEmpty()) {
        static const QRegularExpression datePattern(QStringLiteral("^(\\d{4})-(\\d{2})-(\\d{2})$"));
        const auto m = datePattern.match(date);
        const int month = m.hasMatch() ? m.captured(2).toInt() : 0;
        const int day = m.hasMatch() ? m.captured(3).toInt() : 0;
        if (!m.hasMatch() || month < 1 || month > 12 || day < 1 || day > 31)
            return cli::failUsage(QStringLiteral("--date wants YYYY-MM-DD, got '%1'").arg(date));
        request.now = chat::DateTime{m.captured(1).toInt(), month, day, 12, 0, 0};
    }

    QString error;
    std::optional<std::string> templateText;
    if (!templatePath.isEmpty()) {
        templateText = readFile(templatePath, error);
        if (!templateText)
            return cli::failInput(error);
    }
    if (!modelPath.isEmpty()) {
        auto model = engine::gguf::GgufFile::open(modelPath.toStdString());
        if (!model.ok())
            return cli::failInput(QString::fromStdString(model.error().message()));
        const chat::ModelChatInfo info = chat::readModelChatInfo(**model);
        if (!templateText)
            templateText = info.chatTemplate;
        if (!bos)
            bos = info.bosToken;
        if (!eos)
            eos = info.eosToken;
    }
    request.bosToken = bos;
    request.eosToken = eos;

    const auto messagesText = readFile(messagesPath, error);
    if (!messagesText)
        return cli::failInput(error);
    // Our own JSON reader keeps each message's keys in file order, which tojson then preserves.
    auto messages = chat::parseJson(*messagesText);
    if (!messages.ok())
        return cli::failInput(QStringLiteral("%1: %2").arg(messagesPath, QString::fromStdString(messages.error().detail)));
    if (!messages->isList())
        return cli::failInput(QStringLiteral("%1: expected a JSON array of messages").arg(messagesPath));
    for (const chat::Value& m : messages->asList())
        if (!m.isDict())
            return cli::failInput(QStringLiteral("%1: every message must be a JSON object").arg(messagesPath));
    request.messages = *messages;

    chat::ChatTemplate tmpl = chat::ChatTemplate::fallback();
    if (templateText && !templateText->empty()) {
        auto parsed = chat::ChatTemplate::fromSource(*templateText);
        if (!parsed.ok())
            return cli::failInput(QStringLiteral("template: %1").arg(QString::fromStdString(parsed.error().detail)));
        tmpl = std::move(*parsed);
    }
    auto text = tmpl.apply(request);
    if (!text.ok())
        return cli::failInput(QStringLiteral("template: %1").arg(QString::fromStdString(text.error().detail)));
    std::fwrite(text->data(), 1, text->size(), stdout);
    std::fflush(stdout);
    return cli::ExitOk;
}

const cli::VerbRegistration registration({"template", "render a conversation through a chat template", runTemplate});

} // namespace
