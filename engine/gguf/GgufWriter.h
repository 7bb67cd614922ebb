#pragma once
// Writing GGUF v3 files: metadata in insertion order, tensor data aligned to general.alignment
// (default 32). Used by the tests to make models, by `quantize`, and by the app.

#include "core/Result.h"
#include "gguf/GgufValue.h"
#include "quant/TensorType.h"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace engine::gguf {

class GgufWriter {
public:
    // Fills a deferred tensor's bytes (exactly its byte size) when write() reaches it.
    using TensorFill = std::function<Result<void>(std::span<uint8_t> out)>;

    // Adding a key twice replaces the earlier value (keeps its position).
    // "general.alignment", if set, must be an unsigned integer that is a nonzero power of two;
    // write() reports an error otherwise.
    void setValue(const std::string& key, Value value);

    // shape is ggml order (ne[0] first). data must hold exactly rowBytes(type, ne[0]) * rows
    // bytes; it is copied.
    Result<void> addTensor(const std::string& name, quant::TensorType type,
                           std::vector<int64_t> shape, std::span<const uint8_t> data);
    Result<void> addTensorF32(const std::string& name, std::vector<int64_t> shape, std::span<const float> data);

    // Streaming: the tensor's bytes are produced by fill() while write() runs, one tensor at a
    // time, so writing a multi-gigabyte model holds at most one tensor in memory. Returns the
    // tensor's byte size (computed from type and shape) or an error for an invalid name/shape.
    Result<uint64_t> addTensorDeferred(const std::string& name, quant::TensorType type,
                                       std::vector<int64_t> shape, TensorFill fill);

    // Writes to path + ".part" then renames, so a full disk never leaves a half file behind
    // under the real name. A fill() error aborts the write and is returned as is.
    Result<void> write(const std::string& path) const;
    // The file image in memory (tests, fuzz corpus). Empty when a deferred fill() fails or the
    // metadata is invalid; use write() or toBytesChecked() to see why.
    std::vector<uint8_t> toBytes() const;
    Result<std::vector<uint8_t>> toBytesChecked() const;

    // The data alignment write() will use: general.alignment if set and valid, else 32.
    uint64_t alignment() const;

private:
    struct PendingTensor {
        std::string name;
        quant::TensorType type;
        std::vector<int64_t> shape;
        std::vector<uint8_t> data;
        uint64_t byteSize = 0;
        TensorFill fill; // set for deferred tensors (data is then empty)
    };
    using Sink = std::function<Result<void>(const uint8_t* data, size_t size)>;

    Result<uint64_t> checkTensor(const std::string& name, quant::TensorType type, const std::vector<int64_t>& shape) const;
    Result<void> serialize(const Sink& sink) const;

    std::vector<std::pair<std::string, Value>> m_metadata;
    std::vector<PendingTensor> m_tensors;
};

} // namespace engine::gguf
