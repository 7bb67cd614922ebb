#pragma once
// A word-level diff (each Chinese character counts as a word) between a selection and its proposed replacement, as HTML (removed words
// struck through in red, added words in green). Longest common subsequence over word tokens;
// past a size cap it falls back to "all removed, all added" to stay fast on the GUI thread.

#include <QString>

namespace WordDiff {
QString html(const QString& before, const QString& after);
}
