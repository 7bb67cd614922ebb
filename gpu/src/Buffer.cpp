#include "Buffer.h"

#include <string>

namespace engine::gpu {

Result<Buffer> Buffer::create(Device& device, uint64_t bytes, MemoryKind kind)
{
    if (bytes == 0)
        return makeError(ErrorCode::InvalidArgument, "a GPU buffer of 0 bytes");
    if (bytes > device.maxBufferBytes())
        return makeError(ErrorCode::OutOfMemory, "a GPU buffer of " + std::to_string(bytes) + " bytes exceeds the device's limit of "
                                                     + std::to_string(device.maxBufferBytes()) + " bytes per buffer");
    const VkDevice dev = device.handle();

    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = bytes;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer raw = VK_NULL_HANDLE;
    if (VkResult r = vkCreateBuffer(dev, &info, nullptr, &raw); r != VK_SUCCESS)
        return vkError(r, "vkCreateBuffer");
    Buffer buffer;
    buffer.m_buffer = Handle<VkBuffer>(dev, raw, [](VkDevice d, VkBuffer b) { vkDestroyBuffer(d, b, nullptr); });

    VkMemoryRequirements req{};
    vkGetBufferMemoryRequirements(dev, raw, &req);
    Result<uint32_t> type = device.memoryType(req.memoryTypeBits, kind);
    if (!type)
        return type.error();
    if (auto noted = device.noteAllocation(req.size); !noted)
        return noted.error();
    buffer.m_device = &device;
    buffer.m_allocated = req.size;

    VkMemoryAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = *type;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    if (VkResult r = vkAllocateMemory(dev, &alloc, nullptr, &memory); r != VK_SUCCESS) {
        buffer.release();
        return vkError(r, ("vkAllocateMemory (" + std::to_string(req.size) + " bytes)").c_str());
    }
    buffer.m_memory = Handle<VkDeviceMemory>(dev, memory, [](VkDevice d, VkDeviceMemory m) { vkFreeMemory(d, m, nullptr); });
    if (VkResult r = vkBindBufferMemory(dev, raw, memory, 0); r != VK_SUCCESS)
        return vkError(r, "vkBindBufferMemory");
    if (kind == MemoryKind::HostVisible) {
        if (VkResult r = vkMapMemory(dev, memory, 0, VK_WHOLE_SIZE, 0, &buffer.m_mapped); r != VK_SUCCESS)
            return vkError(r, "vkMapMemory");
    }
    buffer.m_size = bytes;
    buffer.m_kind = kind;
    return buffer;
}

Buffer::Buffer(Buffer&& other) noexcept
    : m_device(std::exchange(other.m_device, nullptr)),
      m_size(std::exchange(other.m_size, 0)),
      m_allocated(std::exchange(other.m_allocated, 0)),
      m_kind(other.m_kind),
      m_mapped(std::exchange(other.m_mapped, nullptr)),
      m_memory(std::move(other.m_memory)),
      m_buffer(std::move(other.m_buffer))
{
}

Buffer& Buffer::operator=(Buffer&& other) noexcept
{
    if (this != &other) {
        release();
        m_device = std::exchange(other.m_device, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_allocated = std::exchange(other.m_allocated, 0);
        m_kind = other.m_kind;
        m_mapped = std::exchange(other.m_mapped, nullptr);
        m_memory = std::move(other.m_memory);
        m_buffer = std::move(other.m_buffer);
    }
    return *this;
}

Buffer::~Buffer()
{
    release();
}

void Buffer::release()
{
    m_buffer.reset();
    m_memory.reset();
    m_mapped = nullptr;
    if (m_device && m_allocated)
        m_device->noteFree(m_allocated);
    m_device = nullptr;
    m_allocated = 0;
}

} // namespace engine::gpu
