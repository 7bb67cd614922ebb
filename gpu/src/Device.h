#pragma once
// A logical Vulkan device with one compute queue, the memory types buffers come from, a
// staging path for uploads and read-backs, and the pipelines built from the embedded shaders.
// A Device must not outlive the Instance it was created from.

#include "DeviceInfo.h"
#include "Handle.h"

#include <cstdint>
#include <memory>
#include <string>

namespace engine::gpu {

class Buffer;
class Instance;
class Pipelines;

enum class MemoryKind {
    DeviceLocal, // weights, activations, KV cache: fastest for the GPU
    HostVisible, // staging and read-back: mapped, coherent
};

struct DeviceOptions {
    std::string selector;       // empty: automatic; else an index or part of a name (chooseDevice)
    bool allowCpu = true;       // let automatic choice fall back to CPU implementations (lavapipe)
    // Where the pipeline cache file lives. Empty: $XDG_CACHE_HOME/inkstone or ~/.cache/inkstone.
    // "-": keep no cache on disk.
    std::string pipelineCacheDir;
};

class Device {
public:
    static Result<std::unique_ptr<Device>> create(Instance& instance, const DeviceOptions& options = {});
    ~Device();

    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    const DeviceInfo& info() const { return m_info; }
    Instance& instance() const { return m_instance; }
    VkDevice handle() const { return m_device.get(); }
    VkQueue queue() const { return m_queue; }
    uint32_t queueFamily() const { return m_info.computeQueueFamily; }
    Pipelines& pipelines() { return *m_pipelines; }

    // Largest single buffer: the smaller of maxStorageBufferRange and maxMemoryAllocationSize.
    uint64_t maxBufferBytes() const;

    // A memory type for a buffer whose requirements allow typeBits.
    Result<uint32_t> memoryType(uint32_t typeBits, MemoryKind kind) const;

    // Copies between host memory and a buffer. DeviceLocal buffers go through a staging buffer
    // and a one-shot command buffer; HostVisible ones are copied through their mapping.
    Result<void> upload(const Buffer& dst, uint64_t dstOffset, const void* src, uint64_t bytes);
    Result<void> download(const Buffer& src, uint64_t srcOffset, void* dst, uint64_t bytes);

    // Submits recorded work and waits for it. Marks the device lost when the driver says so.
    Result<void> submitAndWait(VkCommandBuffer commands, VkFence fence);
    bool lost() const { return m_lost; }

    // Device memory bookkeeping (buffers report here), and fault injection for tests: once set,
    // an allocation that would take the total above limit fails with ErrorCode::OutOfMemory,
    // and simulateDeviceLost makes the next submission fail as a lost device would.
    uint64_t allocatedBytes() const { return m_allocatedBytes; }
    // Device-local memory still free for this process: the driver's budget minus its usage
    // (VK_EXT_memory_budget), else 80 % of the largest device-local heap minus what we hold;
    // never more than the testing limit leaves.
    uint64_t availableBytes() const;
    void setAllocationLimitForTesting(uint64_t limit) { m_allocationLimit = limit; }
    void simulateDeviceLostForTesting() { m_simulateLost = true; }
    Result<void> noteAllocation(uint64_t bytes);
    void noteFree(uint64_t bytes) { m_allocatedBytes -= bytes; }

private:
    Device(Instance& instance, DeviceInfo info);
    Result<void> copyThroughStaging(const Buffer& buffer, uint64_t offset, void* host, uint64_t bytes, bool toDevice);

    Instance& m_instance;
    DeviceInfo m_info;
    VkPhysicalDeviceMemoryProperties m_memory{};
    VkQueue m_queue = VK_NULL_HANDLE;
    bool m_lost = false;
    bool m_simulateLost = false;
    uint64_t m_allocatedBytes = 0;
    uint64_t m_allocationLimit = UINT64_MAX;

    // Declaration order is destruction order reversed: everything below the device is destroyed
    // before it.
    Handle<VkDevice, int> m_device;
    Handle<VkCommandPool> m_transferPool;
    Handle<VkFence> m_transferFence;
    VkCommandBuffer m_transferCommands = VK_NULL_HANDLE; // freed with m_transferPool
    std::unique_ptr<Buffer> m_staging;
    std::unique_ptr<Pipelines> m_pipelines;
};

} // namespace engine::gpu
