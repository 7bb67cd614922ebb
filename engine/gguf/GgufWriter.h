#pragma once
// Writing GGUF v3 files: metadata in insertion order, tensor data aligned to general.alignment
// (default 32). Used by the tests to make models, by `quantize`, and by the app.

#include "core/Result.h"
#include "gguf/GgufValue.h"
#include "quant/TensorType.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace engine::gguf {

class GgufWriter {
public:
    // Adding a key twice replaces the earlier value (keeps its position).
    void setValue(const std::string& key, Value value);

    // shape is ggml order (ne[0] first). data must hold exactly rowBytes(type, ne[0]) * rows
    // bytes; it is copied.
    Result<void> addTensor(const std::string& name, quant::TensorType type,
                           std::vector<int64_t> shape, std::span<const uint8_t> data);
    Result<void> addTensorF32(const std::string& name, std::vector<int64_t> shape, std::span<const float> data);

    // Writes to path + ".part" then renames, so a full disk never leaves a half file behind
    // under the real name.
    Result<void> write(const std::string& path) const;
    // The file image in memory (tests, fuzz corpus).
    std::vector<uint8_t> toBytes() const;

private:
    struct PendingTensor {
        std::string name;
        quant::TensorType type;
        std::vector<int64_t> shape;
        std::vector<uint8_t> data;
    };
    std::vector<std::pair<std::string, Value>> m_metadata;
    std::vector<PendingTensor> m_tensors;
};

} // namespace engine::gguf
