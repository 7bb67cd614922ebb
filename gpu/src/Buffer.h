#pragma once
// One VkBuffer with its own memory. Every buffer is a storage buffer that can also be a copy
// source and destination. Buffers larger than the device allows are refused: large tensors are
// split by DeviceMatrix.

#include "Device.h"
#include "Handle.h"

namespace engine::gpu {

class Buffer {
public:
    static Result<Buffer> create(Device& device, uint64_t bytes, MemoryKind kind);

    Buffer() = default;
    Buffer(Buffer&& other) noexcept;
    Buffer& operator=(Buffer&& other) noexcept;
    ~Buffer();

    VkBuffer handle() const { return m_buffer.get(); }
    uint64_t size() const { return m_size; }
    MemoryKind kind() const { return m_kind; }
    // The mapping of a HostVisible buffer (coherent); nullptr for DeviceLocal ones.
    void* mapped() const { return m_mapped; }

private:
    void release();

    Device* m_device = nullptr;
    uint64_t m_size = 0;
    uint64_t m_allocated = 0;
    MemoryKind m_kind = MemoryKind::DeviceLocal;
    void* m_mapped = nullptr; // unmapped implicitly when the memory is freed
    Handle<VkDeviceMemory> m_memory;
    Handle<VkBuffer> m_buffer; // declared after the memory: destroyed before it
};

} // namespace engine::gpu
