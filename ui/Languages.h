#pragma once
// The human languages the Translate pane offers and the programming languages of the Code pane.
// English names go into prompts (models follow English instructions best); displayName() is
// the translated name for the UI.

#include <QCoreApplication>
#include <QList>
#include <QString>

struct HumanLanguage {
    const char* code;        // BCP 47-ish: "en", "zh-Hans" ...
    const char* englishName; // also the source text for the translated display name
};

struct CodeLanguage {
    const char* name;        // shown as is: language names are not translated
    const char* syntax;      // KDE syntax definition name
    const char* extension;   // for Save As, without the dot
    const char* fence;       // Markdown fence tag the model is asked to use
};

class Languages {
    Q_DECLARE_TR_FUNCTIONS(Languages)
public:
    static const QList<HumanLanguage>& human();
    static const QList<CodeLanguage>& code();
    static QString displayName(const HumanLanguage& language);
    static const HumanLanguage* findHuman(const QString& code);
    // The KDE syntax name for a Markdown fence tag ("py", "cpp", "sh" ...), or "" if unknown.
    static QString syntaxForFence(const QString& tag);
    // A guess from the scripts the text uses (CJK, kana, hangul, Cyrillic, Arabic ...). Latin
    // script text is guessed as English. Returns nullptr for empty text.
    static const HumanLanguage* detect(const QString& text);
};
