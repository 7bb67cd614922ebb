// inkstone-cli tokenize -m MODEL [-f FILE] [--add-special] [--parse-special]: the token ids of a
// text, as the model's tokenizer produces them. The text is taken byte for byte (nothing
// stripped, no newline added or removed) from FILE or stdin.

#include "Verb.h"

#include "gguf/GgufFile.h"
#include "tokenizer/Tokenizer.h"

#include <cstdio>
#include <string>

namespace {

const char kUsage[] =
    "Usage: inkstone-cli tokenize -m MODEL [-f FILE] [--add-special] [--parse-special]\n"
    "\n"
    "Prints the token ids of a text on one line, separated by single spaces. The text is read\n"
    "byte for byte from FILE, or from standard input without -f; nothing is stripped.\n"
    "\n"
    "Options:\n"
    "  -m, --model MODEL  the GGUF file whose tokenizer to use\n"
    "  -f, --file FILE    read the text from FILE instead of standard input\n"
    "  --add-special      add BOS/EOS as the model's add_bos_token/add_eos_token say\n"
    "  --parse-special    turn control-token text such as <|im_start|> into its id\n"
    "                     (without it, such text is tokenized as plain text)\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 ok, 1 bad usage, 2 unreadable model or text file.\n";

bool readStream(FILE* in, std::string& out)
{
    char buffer[1 << 16];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, in)) > 0)
        out.append(buffer, n);
    return !std::ferror(in);
}

int runTokenize(const QStringList& args)
{
    QString model;
    QString file;
    bool addSpecial = false;
    bool parseSpecial = false;
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(kUsage, stdout);
            return cli::ExitOk;
        }
        if (a == QLatin1String("-m") || a == QLatin1String("--model") || a == QLatin1String("-f") ||
            a == QLatin1String("--file")) {
            if (i + 1 >= args.size())
                return cli::failUsage(QStringLiteral("%1 needs a value (see inkstone-cli tokenize --help)").arg(a));
            (a.startsWith(QLatin1String("-m")) || a == QLatin1String("--model") ? model : file) = args.at(++i);
        } else if (a == QLatin1String("--add-special")) {
            addSpecial = true;
        } else if (a == QLatin1String("--parse-special")) {
            parseSpecial = true;
        } else {
            return cli::failUsage(QStringLiteral("unknown argument '%1' (see inkstone-cli tokenize --help)").arg(a));
        }
    }
    if (model.isEmpty())
        return cli::failUsage(QStringLiteral("no model given (usage: inkstone-cli tokenize -m MODEL [-f FILE])"));

    auto opened = engine::gguf::GgufFile::open(model.toStdString());
    if (!opened)
        return cli::failInput(QStringLiteral("%1: %2").arg(model, QString::fromStdString(opened.error().message())));
    auto tok = engine::tokenizer::Tokenizer::fromGguf(**opened);
    if (!tok)
        return cli::failInput(QStringLiteral("%1: %2").arg(model, QString::fromStdString(tok.error().message())));

    std::string text;
    if (file.isEmpty()) {
        if (!readStream(stdin, text))
            return cli::failInput(QStringLiteral("cannot read standard input"));
    } else {
        FILE* in = std::fopen(file.toLocal8Bit().constData(), "rb");
        if (!in)
            return cli::failInput(QStringLiteral("%1: cannot open the text file").arg(file));
        const bool ok = readStream(in, text);
        std::fclose(in);
        if (!ok)
            return cli::failInput(QStringLiteral("%1: read error").arg(file));
    }

    const std::vector<int32_t> ids = (*tok)->encode(text, addSpecial, parseSpecial);
    std::string line;
    line.reserve(ids.size() * 7 + 1);
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i)
            line += ' ';
        line += std::to_string(ids[i]);
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    return cli::ExitOk;
}

const cli::VerbRegistration registration({"tokenize", "print the token ids of a text (from a file or stdin)", runTokenize});

} // namespace
