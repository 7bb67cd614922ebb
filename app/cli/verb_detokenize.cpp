// inkstone-cli detokenize -m MODEL ID...: the text of token ids, written byte for byte.

#include "Verb.h"

#include "gguf/GgufFile.h"
#include "tokenizer/Tokenizer.h"

#include <cstdio>
#include <string>

namespace {

const char kUsage[] =
    "Usage: inkstone-cli detokenize -m MODEL [--show-special] ID...\n"
    "\n"
    "Writes the text of the token ids to standard output, byte for byte (no newline added).\n"
    "Ids may also be given comma-separated. Control tokens (BOS, <|im_end|> ...) are left out\n"
    "unless --show-special is given.\n"
    "\n"
    "Options:\n"
    "  -m, --model MODEL  the GGUF file whose tokenizer to use\n"
    "  --show-special     write control tokens as their text\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 ok, 1 bad usage, 2 unreadable model or an id outside the vocabulary.\n";

int runDetokenize(const QStringList& args)
{
    QString model;
    bool showSpecial = false;
    QStringList idArgs;
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(kUsage, stdout);
            return cli::ExitOk;
        }
        if (a == QLatin1String("-m") || a == QLatin1String("--model")) {
            if (i + 1 >= args.size())
                return cli::failUsage(QStringLiteral("%1 needs a value (see inkstone-cli detokenize --help)").arg(a));
            model = args.at(++i);
        } else if (a == QLatin1String("--show-special")) {
            showSpecial = true;
        } else if (a.startsWith(QLatin1Char('-')) && a.size() > 1 && !a.at(1).isDigit()) {
            return cli::failUsage(QStringLiteral("unknown option '%1' (see inkstone-cli detokenize --help)").arg(a));
        } else {
            idArgs += a.split(QLatin1Char(','), Qt::SkipEmptyParts);
        }
    }
    if (model.isEmpty())
        return cli::failUsage(QStringLiteral("no model given (usage: inkstone-cli detokenize -m MODEL ID...)"));

    std::vector<int32_t> ids;
    for (const QString& s : idArgs) {
        bool ok = false;
        const int id = s.trimmed().toInt(&ok);
        if (!ok)
            return cli::failUsage(QStringLiteral("'%1' is not a token id").arg(s));
        ids.push_back(id);
    }

    auto opened = engine::gguf::GgufFile::open(model.toStdString());
    if (!opened)
        return cli::failInput(QStringLiteral("%1: %2").arg(model, QString::fromStdString(opened.error().message())));
    auto tok = engine::tokenizer::Tokenizer::fromGguf(**opened);
    if (!tok)
        return cli::failInput(QStringLiteral("%1: %2").arg(model, QString::fromStdString(tok.error().message())));
    for (const int32_t id : ids)
        if (id < 0 || id >= (*tok)->vocabSize())
            return cli::failInput(QStringLiteral("token id %1 is outside the vocabulary (0..%2)")
                                      .arg(id)
                                      .arg((*tok)->vocabSize() - 1));

    const std::string text = (*tok)->decode(ids, showSpecial);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return cli::ExitOk;
}

const cli::VerbRegistration registration({"detokenize", "print the text of token ids", runDetokenize});

} // namespace
