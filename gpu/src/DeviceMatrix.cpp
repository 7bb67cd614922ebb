#include "DeviceMatrix.h"

#include <algorithm>
#include <string>

namespace engine::gpu {

Result<DeviceMatrix> DeviceMatrix::upload(Device& device, quant::TensorType type, uint32_t rows, uint32_t cols,
                                          const void* data, uint64_t maxPartBytes)
{
    const std::optional<uint64_t> rowBytes = quant::rowBytes(type, cols);
    if (!rowBytes || rows == 0 || cols == 0)
        return makeError(ErrorCode::InvalidArgument, "a " + std::string(quant::typeName(type)) + " matrix of " + std::to_string(rows)
                                                         + " x " + std::to_string(cols) + " (columns must fill whole blocks)");
    uint64_t limit = device.maxBufferBytes();
    if (maxPartBytes)
        limit = std::min(limit, maxPartBytes);
    const uint64_t rowsPerPart = std::min<uint64_t>(rows, limit / *rowBytes);
    if (rowsPerPart == 0)
        return makeError(ErrorCode::Unsupported, "one row of " + std::to_string(*rowBytes) + " bytes exceeds the GPU buffer limit");

    DeviceMatrix matrix;
    matrix.m_type = type;
    matrix.m_rows = rows;
    matrix.m_cols = cols;
    const auto* bytes = static_cast<const char*>(data);
    for (uint64_t first = 0; first < rows; first += rowsPerPart) {
        const uint64_t count = std::min<uint64_t>(rowsPerPart, rows - first);
        // Rounded up to 4 bytes so odd-length F16/BF16 parts are still a whole number of words.
        const uint64_t partBytes = count * *rowBytes;
        Result<Buffer> buffer = Buffer::create(device, (partBytes + 3) & ~uint64_t(3), MemoryKind::DeviceLocal);
        if (!buffer)
            return buffer.error();
        if (auto copied = device.upload(*buffer, 0, bytes + first * *rowBytes, partBytes); !copied)
            return copied.error();
        matrix.m_parts.push_back(Part{std::move(*buffer), static_cast<uint32_t>(first), static_cast<uint32_t>(count)});
    }
    return matrix;
}

} // namespace engine::gpu
