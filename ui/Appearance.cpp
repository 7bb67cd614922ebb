#include "Appearance.h"

#include "SettingsKeys.h"

#include <QApplication>
#include <QFont>
#include <QLibraryInfo>
#include <QLocale>
#include <QPalette>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>
#include <QTranslator>

Appearance::Appearance(QObject* parent)
    : QObject(parent)
    , m_translator(new QTranslator(this))
    , m_qtTranslator(new QTranslator(this))
    , m_systemFont(QApplication::font())
{
}

bool Appearance::setLanguage(const QString& code)
{
    m_language = code;
    QApplication::removeTranslator(m_translator);
    QApplication::removeTranslator(m_qtTranslator);
    const QLocale locale = code == QLatin1String("system") || code.isEmpty() ? QLocale::system() : QLocale(code);
    if (locale.language() == QLocale::English || code == QLatin1String("en")) {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        // Removing the translators is enough: LanguageChange reaches every widget.
        QEvent change(QEvent::LanguageChange);
        QApplication::sendEvent(qApp, &change);
        return true;
    }
    const bool loaded = m_translator->load(locale, QStringLiteral("inkstone"), QStringLiteral("_"), QStringLiteral(":/i18n"));
    if (loaded) {
        QLocale::setDefault(locale);
        // Qt's own strings (standard buttons, dialogs) come from Qt's translations when installed.
        if (m_qtTranslator->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QApplication::installTranslator(m_qtTranslator);
        QApplication::installTranslator(m_translator);
    } else {
        QEvent change(QEvent::LanguageChange);
        QApplication::sendEvent(qApp, &change);
    }
    return loaded;
}

void Appearance::setTheme(const QString& theme)
{
    if (theme == QLatin1String("dark")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(45, 45, 48));
        dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
        dark.setColor(QPalette::Base, QColor(30, 30, 32));
        dark.setColor(QPalette::AlternateBase, QColor(52, 52, 56));
        dark.setColor(QPalette::Text, QColor(230, 230, 230));
        dark.setColor(QPalette::Button, QColor(55, 55, 60));
        dark.setColor(QPalette::ButtonText, QColor(230, 230, 230));
        dark.setColor(QPalette::Highlight, QColor(66, 133, 244));
        dark.setColor(QPalette::HighlightedText, Qt::white);
        dark.setColor(QPalette::ToolTipBase, QColor(60, 60, 64));
        dark.setColor(QPalette::ToolTipText, QColor(230, 230, 230));
        dark.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
        dark.setColor(QPalette::Link, QColor(110, 170, 255));
        dark.setColor(QPalette::Mid, QColor(80, 80, 85));
        QApplication::setPalette(dark);
    } else if (theme == QLatin1String("light")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
    } else {
        QApplication::setPalette(QApplication::style()->standardPalette());
    }
}

void Appearance::setFontSize(int points)
{
    QFont font = m_systemFont;
    if (points > 0)
        font.setPointSize(points);
    QApplication::setFont(font);
}

void Appearance::applySettings()
{
    const QSettings settings;
    setTheme(settings.value(SettingsKeys::theme, QStringLiteral("system")).toString());
    setFontSize(settings.value(SettingsKeys::fontSize, 0).toInt());
    setLanguage(settings.value(SettingsKeys::language, QStringLiteral("system")).toString());
}
