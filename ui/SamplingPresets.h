#pragma once
// The three sampling presets a conversation can use. "Balanced" is the user's defaults from the
// settings; the others shift temperature and nucleus from there.

#include "ServiceTypes.h"

#include <QString>

namespace SamplingPresets {
QString idAt(int index);              // "precise" | "balanced" | "creative"
int indexOf(const QString& id);       // unknown ids map to balanced
SamplingSettings settingsFor(const QString& id);
} // namespace SamplingPresets
