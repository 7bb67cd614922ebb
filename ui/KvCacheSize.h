#pragma once
// How many bytes one engine session's KV cache takes for a model file, from its GGUF metadata
// (layers × context × KV heads × (key + value head size) × 2 bytes of F16). The worker uses it
// to decide how many per-pane sessions fit in its memory budget (SessionPool).

#include <QString>

// 0 when the file cannot be read or lacks the keys.
qint64 kvCacheBytesPerSession(const QString& modelPath, int contextLength);
