#include "Device.h"

#include "Buffer.h"
#include "Instance.h"
#include "Pipelines.h"
#include "core/Log.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

namespace engine::gpu {

namespace {

constexpr uint64_t kStagingBytes = 16u << 20; // one staging chunk; larger copies loop

std::string cacheFileFor(const DeviceInfo& info, const std::string& dirOption)
{
    if (dirOption == "-")
        return {};
    const std::string dir = dirOption.empty() ? Pipelines::defaultCacheDir() : dirOption;
    if (dir.empty())
        return {};
    char name[96];
    std::snprintf(name, sizeof name, "/vulkan-pipelines-%04x-%04x-", info.vendorId, info.deviceId);
    std::string file = dir + name;
    for (uint8_t b : info.pipelineCacheUuid) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", b);
        file += hex;
    }
    return file + ".bin";
}

} // namespace

Result<std::unique_ptr<Device>> Device::create(Instance& instance, const DeviceOptions& options)
{
    const std::vector<DeviceInfo> devices = enumerateDevices(instance);
    Result<size_t> chosen = chooseDevice(devices, options.selector, options.allowCpu);
    if (!chosen)
        return chosen.error();
    std::unique_ptr<Device> self(new Device(instance, devices[*chosen]));
    const DeviceInfo& info = self->m_info;

    // Enable what the shaders use, and what makes them faster where present.
    VkPhysicalDeviceVulkan11Features f11{};
    f11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
    f11.storageBuffer16BitAccess = VK_TRUE;
    VkPhysicalDeviceVulkan12Features f12{};
    f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    f12.storageBuffer8BitAccess = VK_TRUE;
    f12.shaderFloat16 = info.shaderFloat16;
    f12.shaderInt8 = info.shaderInt8;
    f11.pNext = &f12;
    VkPhysicalDeviceVulkan13Features f13{};
    f13.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
    if (info.apiVersion >= VK_API_VERSION_1_3) {
        f13.subgroupSizeControl = info.subgroupSizeControl;
        f13.computeFullSubgroups = info.subgroupSizeControl;
        f13.shaderIntegerDotProduct = info.integerDotProduct;
        f12.pNext = &f13;
    }
    VkPhysicalDeviceFeatures2 features{};
    features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    features.features.shaderInt16 = info.shaderInt16;
    features.features.shaderInt64 = info.shaderInt64;
    features.pNext = &f11;

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queueInfo{};
    queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queueInfo.queueFamilyIndex = info.computeQueueFamily;
    queueInfo.queueCount = 1;
    queueInfo.pQueuePriorities = &priority;

    VkDeviceCreateInfo deviceInfo{};
    deviceInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    deviceInfo.pNext = &features;
    deviceInfo.queueCreateInfoCount = 1;
    deviceInfo.pQueueCreateInfos = &queueInfo;
    VkDevice device = VK_NULL_HANDLE;
    if (VkResult r = vkCreateDevice(info.physical, &deviceInfo, nullptr, &device); r != VK_SUCCESS)
        return vkError(r, ("vkCreateDevice (" + info.name + ")").c_str());
    self->m_device = Handle<VkDevice, int>(0, device, [](int, VkDevice d) { vkDestroyDevice(d, nullptr); });
    vkGetDeviceQueue(device, info.computeQueueFamily, 0, &self->m_queue);
    vkGetPhysicalDeviceMemoryProperties(info.physical, &self->m_memory);

    VkCommandPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    poolInfo.queueFamilyIndex = info.computeQueueFamily;
    VkCommandPool pool = VK_NULL_HANDLE;
    if (VkResult r = vkCreateCommandPool(device, &poolInfo, nullptr, &pool); r != VK_SUCCESS)
        return vkError(r, "vkCreateCommandPool");
    self->m_transferPool = Handle<VkCommandPool>(device, pool, [](VkDevice d, VkCommandPool p) { vkDestroyCommandPool(d, p, nullptr); });

    VkCommandBufferAllocateInfo cbInfo{};
    cbInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    cbInfo.commandPool = pool;
    cbInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cbInfo.commandBufferCount = 1;
    if (VkResult r = vkAllocateCommandBuffers(device, &cbInfo, &self->m_transferCommands); r != VK_SUCCESS)
        return vkError(r, "vkAllocateCommandBuffers");

    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    VkFence fence = VK_NULL_HANDLE;
    if (VkResult r = vkCreateFence(device, &fenceInfo, nullptr, &fence); r != VK_SUCCESS)
        return vkError(r, "vkCreateFence");
    self->m_transferFence = Handle<VkFence>(device, fence, [](VkDevice d, VkFence f) { vkDestroyFence(d, f, nullptr); });

    self->m_pipelines = std::make_unique<Pipelines>(*self, cacheFileFor(info, options.pipelineCacheDir));
    return self;
}

Device::Device(Instance& instance, DeviceInfo info) : m_instance(instance), m_info(std::move(info)) {}

Device::~Device()
{
    // Work still in flight would be destroyed under the driver's feet.
    if (m_device && !m_lost)
        vkDeviceWaitIdle(m_device.get());
    m_pipelines.reset();
    m_staging.reset();
}

uint64_t Device::maxBufferBytes() const
{
    uint64_t limit = m_info.maxStorageBufferRange;
    if (m_info.maxMemoryAllocationSize)
        limit = std::min(limit, m_info.maxMemoryAllocationSize);
    return limit;
}

uint64_t Device::availableBytes() const
{
    VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{};
    budget.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT;
    VkPhysicalDeviceMemoryProperties2 props{};
    props.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2;
    if (m_info.memoryBudget)
        props.pNext = &budget;
    vkGetPhysicalDeviceMemoryProperties2(m_info.physical, &props);
    // Buffers go to one heap (true VRAM preferred), so the largest device-local heap counts, not the sum.
    uint64_t free = 0;
    for (uint32_t h = 0; h < props.memoryProperties.memoryHeapCount; ++h) {
        if (!(props.memoryProperties.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT))
            continue;
        const uint64_t size = props.memoryProperties.memoryHeaps[h].size;
        uint64_t heapFree = 0;
        if (m_info.memoryBudget)
            heapFree = budget.heapBudget[h] > budget.heapUsage[h] ? budget.heapBudget[h] - budget.heapUsage[h] : 0;
        else
            heapFree = size / 10 * 8 > m_allocatedBytes ? size / 10 * 8 - m_allocatedBytes : 0;
        free = std::max(free, heapFree);
    }
    if (m_allocationLimit != UINT64_MAX)
        free = std::min(free, m_allocationLimit > m_allocatedBytes ? m_allocationLimit - m_allocatedBytes : 0);
    return free;
}

Result<uint32_t> Device::memoryType(uint32_t typeBits, MemoryKind kind) const
{
    // DeviceLocal: prefer memory the CPU cannot see (true VRAM), else any device-local type
    // (integrated GPUs, lavapipe). HostVisible: coherent, preferably cached for read-back.
    struct Want {
        VkMemoryPropertyFlags required;
        VkMemoryPropertyFlags avoid;
    };
    std::vector<Want> order;
    if (kind == MemoryKind::DeviceLocal) {
        order = {{VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT},
                 {VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0},
                 {0, 0}};
    } else {
        const VkMemoryPropertyFlags hv = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        order = {{hv | VK_MEMORY_PROPERTY_HOST_CACHED_BIT, 0}, {hv, 0}};
    }
    for (const Want& want : order) {
        for (uint32_t i = 0; i < m_memory.memoryTypeCount; ++i) {
            const VkMemoryPropertyFlags f = m_memory.memoryTypes[i].propertyFlags;
            if ((typeBits & (1u << i)) && (f & want.required) == want.required && !(f & want.avoid))
                return i;
        }
    }
    return makeError(ErrorCode::Device, std::string("no suitable ") + (kind == MemoryKind::DeviceLocal ? "device-local" : "host-visible")
                                            + " memory type on " + m_info.name);
}

Result<void> Device::noteAllocation(uint64_t bytes)
{
    if (m_allocatedBytes + bytes > m_allocationLimit)
        return makeError(ErrorCode::OutOfMemory, "device memory limit reached (" + std::to_string(m_allocatedBytes) + " + "
                                                     + std::to_string(bytes) + " bytes, limit " + std::to_string(m_allocationLimit) + ")");
    m_allocatedBytes += bytes;
    return {};
}

Result<void> Device::submitAndWait(VkCommandBuffer commands, VkFence fence)
{
    if (m_lost)
        return makeError(ErrorCode::Device, "the Vulkan device was lost earlier");
    if (m_simulateLost) {
        m_lost = true;
        return makeError(ErrorCode::Device, "vkQueueSubmit failed: VK_ERROR_DEVICE_LOST (simulated)");
    }
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &commands;
    if (VkResult r = vkResetFences(handle(), 1, &fence); r != VK_SUCCESS)
        return vkError(r, "vkResetFences");
    VkResult r = vkQueueSubmit(m_queue, 1, &submit, fence);
    if (r == VK_SUCCESS)
        r = vkWaitForFences(handle(), 1, &fence, VK_TRUE, UINT64_MAX);
    if (r == VK_ERROR_DEVICE_LOST)
        m_lost = true;
    if (r != VK_SUCCESS)
        return vkError(r, "running GPU work");
    return {};
}

Result<void> Device::copyThroughStaging(const Buffer& buffer, uint64_t offset, void* host, uint64_t bytes, bool toDevice)
{
    if (!m_staging) {
        Result<Buffer> staging = Buffer::create(*this, std::min(kStagingBytes, maxBufferBytes()), MemoryKind::HostVisible);
        if (!staging)
            return staging.error();
        m_staging = std::make_unique<Buffer>(std::move(*staging));
    }
    auto* bytesPtr = static_cast<char*>(host);
    for (uint64_t done = 0; done < bytes;) {
        const uint64_t chunk = std::min(bytes - done, m_staging->size());
        if (toDevice)
            std::memcpy(m_staging->mapped(), bytesPtr + done, chunk);

        VkCommandBufferBeginInfo begin{};
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        if (VkResult r = vkBeginCommandBuffer(m_transferCommands, &begin); r != VK_SUCCESS)
            return vkError(r, "vkBeginCommandBuffer");
        VkBufferCopy region{};
        region.srcOffset = toDevice ? 0 : offset + done;
        region.dstOffset = toDevice ? offset + done : 0;
        region.size = chunk;
        if (toDevice) {
            vkCmdCopyBuffer(m_transferCommands, m_staging->handle(), buffer.handle(), 1, &region);
        } else {
            vkCmdCopyBuffer(m_transferCommands, buffer.handle(), m_staging->handle(), 1, &region);
        }
        // The copy must be visible to later shader reads and host reads.
        VkMemoryBarrier barrier{};
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
        barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
        vkCmdPipelineBarrier(m_transferCommands, VK_PIPELINE_STAGE_TRANSFER_BIT,
                             VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
        if (VkResult r = vkEndCommandBuffer(m_transferCommands); r != VK_SUCCESS)
            return vkError(r, "vkEndCommandBuffer");
        if (auto ran = submitAndWait(m_transferCommands, m_transferFence.get()); !ran)
            return ran.error();
        if (!toDevice)
            std::memcpy(bytesPtr + done, m_staging->mapped(), chunk);
        done += chunk;
    }
    return {};
}

Result<void> Device::upload(const Buffer& dst, uint64_t dstOffset, const void* src, uint64_t bytes)
{
    if (dstOffset + bytes > dst.size())
        return makeError(ErrorCode::InvalidArgument, "upload past the end of a GPU buffer");
    if (bytes == 0)
        return {};
    if (dst.mapped()) {
        std::memcpy(static_cast<char*>(dst.mapped()) + dstOffset, src, bytes);
        return {};
    }
    return copyThroughStaging(dst, dstOffset, const_cast<void*>(src), bytes, true);
}

Result<void> Device::download(const Buffer& src, uint64_t srcOffset, void* dst, uint64_t bytes)
{
    if (srcOffset + bytes > src.size())
        return makeError(ErrorCode::InvalidArgument, "download past the end of a GPU buffer");
    if (bytes == 0)
        return {};
    if (src.mapped()) {
        std::memcpy(dst, static_cast<const char*>(src.mapped()) + srcOffset, bytes);
        return {};
    }
    return copyThroughStaging(src, srcOffset, dst, bytes, false);
}

} // namespace engine::gpu
