#include "KvCacheSize.h"

#include "gguf/GgufFile.h"

#include <algorithm>

qint64 kvCacheBytesPerSession(const QString& modelPath, int contextLength)
{
    auto opened = engine::gguf::GgufFile::open(modelPath.toStdString());
    if (!opened)
        return 0;
    const engine::gguf::GgufFile& file = *opened.value();
    const std::string a = file.architecture() + ".";
    const int64_t layers = file.getInt(a + "block_count").value_or(0);
    const int64_t embd = file.getInt(a + "embedding_length").value_or(0);
    const int64_t heads = file.getInt(a + "attention.head_count").value_or(0);
    // Some files give a per-layer list of KV heads; the largest bounds the cache.
    int64_t headsKv = file.getInt(a + "attention.head_count_kv").value_or(0);
    if (headsKv == 0) {
        const auto perLayer = file.getIntArray(a + "attention.head_count_kv");
        headsKv = perLayer && !perLayer->empty() ? *std::max_element(perLayer->begin(), perLayer->end()) : heads;
    }
    if (layers <= 0 || heads <= 0 || headsKv <= 0 || contextLength <= 0)
        return 0;
    const int64_t keyLength = file.getInt(a + "attention.key_length").value_or(embd / heads);
    const int64_t valueLength = file.getInt(a + "attention.value_length").value_or(keyLength);
    return layers * contextLength * headsKv * (keyLength + valueLength) * 2;
}
