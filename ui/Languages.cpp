#include "Languages.h"

#include <algorithm>

const QList<HumanLanguage>& Languages::human()
{
    static const QList<HumanLanguage> list = {
        {"en", QT_TR_NOOP("English")},
        {"zh-Hans", QT_TR_NOOP("Chinese (Simplified)")},
        {"zh-Hant", QT_TR_NOOP("Chinese (Traditional)")},
        {"ja", QT_TR_NOOP("Japanese")},
        {"ko", QT_TR_NOOP("Korean")},
        {"fr", QT_TR_NOOP("French")},
        {"de", QT_TR_NOOP("German")},
        {"es", QT_TR_NOOP("Spanish")},
        {"pt", QT_TR_NOOP("Portuguese")},
        {"it", QT_TR_NOOP("Italian")},
        {"ru", QT_TR_NOOP("Russian")},
        {"ar", QT_TR_NOOP("Arabic")},
        {"vi", QT_TR_NOOP("Vietnamese")},
        {"th", QT_TR_NOOP("Thai")},
        {"id", QT_TR_NOOP("Indonesian")},
    };
    return list;
}

const QList<CodeLanguage>& Languages::code()
{
    static const QList<CodeLanguage> list = {
        {"C++", "C++", "cpp", "cpp"},
        {"C", "C", "c", "c"},
        {"Python", "Python", "py", "python"},
        {"JavaScript", "JavaScript", "js", "javascript"},
        {"TypeScript", "TypeScript", "ts", "typescript"},
        {"Rust", "Rust", "rs", "rust"},
        {"Go", "Go", "go", "go"},
        {"Java", "Java", "java", "java"},
        {"C#", "C#", "cs", "csharp"},
        {"Kotlin", "Kotlin", "kt", "kotlin"},
        {"SQL", "SQL", "sql", "sql"},
        {"Bash", "Bash", "sh", "bash"},
        {"HTML", "HTML", "html", "html"},
        {"CSS", "CSS", "css", "css"},
    };
    return list;
}

QString Languages::displayName(const HumanLanguage& language)
{
    return tr(language.englishName);
}

QString Languages::syntaxForFence(const QString& tag)
{
    const QString t = tag.trimmed().toLower();
    if (t.isEmpty())
        return {};
    static const QList<QPair<QString, QString>> aliases = {
        {QStringLiteral("py"), QStringLiteral("Python")},  {QStringLiteral("c++"), QStringLiteral("C++")},
        {QStringLiteral("cxx"), QStringLiteral("C++")},    {QStringLiteral("hpp"), QStringLiteral("C++")},
        {QStringLiteral("h"), QStringLiteral("C")},        {QStringLiteral("js"), QStringLiteral("JavaScript")},
        {QStringLiteral("ts"), QStringLiteral("TypeScript")}, {QStringLiteral("rs"), QStringLiteral("Rust")},
        {QStringLiteral("golang"), QStringLiteral("Go")},  {QStringLiteral("cs"), QStringLiteral("C#")},
        {QStringLiteral("sh"), QStringLiteral("Bash")},    {QStringLiteral("shell"), QStringLiteral("Bash")},
        {QStringLiteral("zsh"), QStringLiteral("Bash")},   {QStringLiteral("console"), QStringLiteral("Bash")},
        {QStringLiteral("kt"), QStringLiteral("Kotlin")},  {QStringLiteral("json"), QStringLiteral("JSON")},
        {QStringLiteral("yaml"), QStringLiteral("YAML")},  {QStringLiteral("xml"), QStringLiteral("XML")},
    };
    for (const auto& [alias, syntax] : aliases)
        if (t == alias)
            return syntax;
    for (const auto& language : code())
        if (t == QLatin1String(language.fence) || t == QString::fromLatin1(language.name).toLower())
            return QLatin1String(language.syntax);
    return {};
}

const HumanLanguage* Languages::findHuman(const QString& code)
{
    for (const auto& language : human())
        if (code == QLatin1String(language.code))
            return &language;
    return nullptr;
}

const HumanLanguage* Languages::detect(const QString& text)
{
    int han = 0, kana = 0, hangul = 0, cyrillic = 0, arabic = 0, thai = 0, latin = 0;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u >= 0x4E00 && u <= 0x9FFF)
            ++han;
        else if (u >= 0x3040 && u <= 0x30FF)
            ++kana;
        else if (u >= 0xAC00 && u <= 0xD7AF)
            ++hangul;
        else if (u >= 0x0400 && u <= 0x04FF)
            ++cyrillic;
        else if (u >= 0x0600 && u <= 0x06FF)
            ++arabic;
        else if (u >= 0x0E00 && u <= 0x0E7F)
            ++thai;
        else if (c.isLetter() && u < 0x0250)
            ++latin;
    }
    if (kana > 0 && kana * 4 >= han)
        return findHuman(QStringLiteral("ja"));
    const int best = std::max({han, hangul, cyrillic, arabic, thai, latin});
    if (best == 0)
        return nullptr;
    if (best == han)
        return findHuman(QStringLiteral("zh-Hans"));
    if (best == hangul)
        return findHuman(QStringLiteral("ko"));
    if (best == cyrillic)
        return findHuman(QStringLiteral("ru"));
    if (best == arabic)
        return findHuman(QStringLiteral("ar"));
    if (best == thai)
        return findHuman(QStringLiteral("th"));
    return findHuman(QStringLiteral("en"));
}
