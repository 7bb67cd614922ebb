#pragma once
// The chat template choice of each model file, in QSettings (keys in SettingsKeys.h).

#include "ServiceTypes.h"

namespace ChatTemplateSettings {

ChatTemplateOverride load(const QString& modelPath);
void save(const QString& modelPath, const ChatTemplateOverride& choice); // Model mode removes the entry

} // namespace ChatTemplateSettings
