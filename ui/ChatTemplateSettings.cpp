#include "ChatTemplateSettings.h"

#include "SettingsKeys.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QSettings>

namespace ChatTemplateSettings {

namespace {
// A path holds slashes, which QSettings reads as groups: the group is the path's hash instead.
QString groupFor(const QString& modelPath)
{
    const QByteArray path = QFileInfo(modelPath).absoluteFilePath().toUtf8();
    return SettingsKeys::chatTemplateGroup + QLatin1Char('/')
        + QString::fromLatin1(QCryptographicHash::hash(path, QCryptographicHash::Sha1).toHex());
}
} // namespace

ChatTemplateOverride load(const QString& modelPath)
{
    QSettings settings;
    settings.beginGroup(groupFor(modelPath));
    ChatTemplateOverride choice;
    const QString mode = settings.value(SettingsKeys::chatTemplateMode).toString();
    if (mode == QLatin1String("custom")) {
        choice.mode = ChatTemplateOverride::Mode::Custom;
        choice.source = settings.value(SettingsKeys::chatTemplateSource).toString();
    } else if (mode == QLatin1String("builtin")) {
        choice.mode = ChatTemplateOverride::Mode::Builtin;
    }
    return choice;
}

void save(const QString& modelPath, const ChatTemplateOverride& choice)
{
    QSettings settings;
    settings.remove(groupFor(modelPath));
    if (choice.mode == ChatTemplateOverride::Mode::Model)
        return;
    settings.beginGroup(groupFor(modelPath));
    settings.setValue(SettingsKeys::chatTemplateModel, QFileInfo(modelPath).absoluteFilePath());
    if (choice.mode == ChatTemplateOverride::Mode::Custom) {
        settings.setValue(SettingsKeys::chatTemplateMode, QStringLiteral("custom"));
        settings.setValue(SettingsKeys::chatTemplateSource, choice.source);
    } else {
        settings.setValue(SettingsKeys::chatTemplateMode, QStringLiteral("builtin"));
    }
}

} // namespace ChatTemplateSettings
