#include "SamplingPresets.h"

#include "SettingsKeys.h"

#include <QSettings>

namespace SamplingPresets {

QString idAt(int index)
{
    switch (index) {
    case 0: return QStringLiteral("precise");
    case 2: return QStringLiteral("creative");
    default: return QStringLiteral("balanced");
    }
}

int indexOf(const QString& id)
{
    if (id == QLatin1String("precise"))
        return 0;
    if (id == QLatin1String("creative"))
        return 2;
    return 1;
}

SamplingSettings settingsFor(const QString& id)
{
    namespace K = SettingsKeys;
    const QSettings settings;
    SamplingSettings s;
    s.temperature = settings.value(K::temperature, K::Defaults::temperature).toDouble();
    s.topK = settings.value(K::topK, K::Defaults::topK).toInt();
    s.topP = settings.value(K::topP, K::Defaults::topP).toDouble();
    s.minP = settings.value(K::minP, K::Defaults::minP).toDouble();
    s.maxTokens = settings.value(K::maxTokens, K::Defaults::maxTokens).toInt();
    if (id == QLatin1String("precise")) {
        s.temperature = 0.2;
        s.topP = 0.9;
    } else if (id == QLatin1String("creative")) {
        s.temperature = 1.0;
        s.topP = 0.98;
    }
    return s;
}

} // namespace SamplingPresets
