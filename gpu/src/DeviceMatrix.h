#pragma once
// A weight matrix in device memory, kept in its GGUF storage type and split by whole rows into
// parts that each fit one buffer (maxStorageBufferRange, maxMemoryAllocationSize: 128 MiB on
// lavapipe, so a 151936 x 896 Q8_0 output matrix takes two parts).

#include "Buffer.h"
#include "quant/TensorType.h"

#include <cstdint>
#include <vector>

namespace engine::gpu {

class DeviceMatrix {
public:
    struct Part {
        Buffer buffer;
        uint32_t firstRow = 0;
        uint32_t rows = 0;
    };

    // Uploads rows x cols elements of `type` laid out row after row as in a GGUF file.
    // maxPartBytes caps each part below the device limit (0: the device limit); tests use it to
    // force a split.
    static Result<DeviceMatrix> upload(Device& device, quant::TensorType type, uint32_t rows, uint32_t cols,
                                       const void* data, uint64_t maxPartBytes = 0);

    quant::TensorType type() const { return m_type; }
    uint32_t rows() const { return m_rows; }
    uint32_t cols() const { return m_cols; }
    const std::vector<Part>& parts() const { return m_parts; }

private:
    quant::TensorType m_type = quant::TensorType::F32;
    uint32_t m_rows = 0;
    uint32_t m_cols = 0;
    std::vector<Part> m_parts;
};

} // namespace engine::gpu
