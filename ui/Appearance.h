#pragma once
// Applies the appearance settings to the running application: UI language (installed as a
// QTranslator, so every widget gets a LanguageChange event and retranslates without a
// restart), theme and font size.

#include <QFont>
#include <QObject>

class QTranslator;

class Appearance : public QObject {
    Q_OBJECT
public:
    explicit Appearance(QObject* parent = nullptr);

    // "system", "en" or "zh_CN". Returns false when the translation could not be loaded.
    bool setLanguage(const QString& code);
    QString language() const { return m_language; }
    // "system", "light" or "dark".
    void setTheme(const QString& theme);
    // Point size; 0 restores the system's.
    void setFontSize(int points);
    // Reads the three from QSettings.
    void applySettings();

private:
    QString m_language;
    QTranslator* m_translator = nullptr;
    QTranslator* m_qtTranslator = nullptr;
    QFont m_systemFont;
};
