#pragma once
// Every QSettings key the app uses, with its default, in one place. Code reads settings only
// through these names so a key cannot be misspelled in one spot and silently start from zero.

#include <QString>

namespace SettingsKeys {

// Engine
inline const QString threads = QStringLiteral("engine/threads");                 // int, 0 = automatic
inline const QString contextSize = QStringLiteral("engine/contextSize");         // int tokens
inline const QString contextOverflow = QStringLiteral("engine/contextOverflow"); // "truncateMiddle" | "stop"
inline const QString backend = QStringLiteral("engine/backend");                 // "auto" | "cpu" | "vulkan"
inline const QString device = QStringLiteral("engine/device");                   // Vulkan device name, "" = automatic
inline const QString gpuLayers = QStringLiteral("engine/gpuLayers");             // int, -1 = as many as fit

// Sampling defaults for new conversations
inline const QString temperature = QStringLiteral("sampling/temperature");
inline const QString topK = QStringLiteral("sampling/topK");
inline const QString topP = QStringLiteral("sampling/topP");
inline const QString minP = QStringLiteral("sampling/minP");
inline const QString maxTokens = QStringLiteral("sampling/maxTokens");

// Appearance
inline const QString theme = QStringLiteral("ui/theme");       // "system" | "light" | "dark"
inline const QString language = QStringLiteral("ui/language"); // "system" | "en" | "zh_CN"
inline const QString fontSize = QStringLiteral("ui/fontSize"); // point size, 0 = system

// Data
inline const QString dataFolder = QStringLiteral("data/folder"); // "" = XDG data location

// Models and window state
inline const QString recentModels = QStringLiteral("models/recent");   // QStringList, newest first
inline const QString lastModel = QStringLiteral("models/last");
inline const QString welcomeDismissed = QStringLiteral("ui/welcomeDismissed");
inline const QString windowGeometry = QStringLiteral("window/geometry");
inline const QString windowState = QStringLiteral("window/state");
inline const QString recentLanguagePairs = QStringLiteral("translate/recentPairs"); // "src>dst" list
inline const QString codeLanguage = QStringLiteral("code/language");
// Per model file, under a group named by the hash of its absolute path (ChatTemplateSettings):
inline const QString chatTemplateGroup = QStringLiteral("chatTemplates"); // chatTemplates/<sha1>/...
inline const QString chatTemplateMode = QStringLiteral("mode");     // "model" | "custom" | "builtin"
inline const QString chatTemplateSource = QStringLiteral("source"); // the custom Jinja text
inline const QString chatTemplateModel = QStringLiteral("path");    // the model file, for people reading the file

namespace Defaults {
inline constexpr int threads = 0;
inline const QString backend = QStringLiteral("auto");
inline constexpr int gpuLayers = -1;
inline constexpr int contextSize = 4096;
inline constexpr double temperature = 0.7;
inline constexpr int topK = 40;
inline constexpr double topP = 0.95;
inline constexpr double minP = 0.05;
inline constexpr int maxTokens = 1024;
inline constexpr int maxRecentModels = 8;
} // namespace Defaults

} // namespace SettingsKeys
