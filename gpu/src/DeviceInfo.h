#pragma once
// What a physical device offers, probed once: type, memory, limits, and the features the shaders
// care about. Also the rule that picks a device (discrete > integrated > virtual > CPU, or the
// user's choice by index or name).

#include "VulkanApi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace engine::gpu {

class Instance;

enum class DeviceKind { Discrete, Integrated, Virtual, Cpu, Other };

const char* deviceKindName(DeviceKind kind); // "discrete", "integrated", "virtual", "cpu", "other"

struct DeviceInfo {
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    uint32_t index = 0;        // position in vkEnumeratePhysicalDevices, for --device N
    std::string name;
    DeviceKind kind = DeviceKind::Other;
    uint32_t apiVersion = 0;
    uint32_t vendorId = 0;
    uint32_t deviceId = 0;
    std::string driverName;    // "llvmpipe", "NVIDIA" ... (empty before Vulkan 1.2)
    std::string driverInfo;
    uint8_t pipelineCacheUuid[VK_UUID_SIZE] = {};

    uint64_t deviceLocalBytes = 0;  // sum of DEVICE_LOCAL heaps
    uint64_t hostVisibleDeviceLocalBytes = 0; // of which reachable by the CPU (UMA, resizable BAR)

    // Limits that shape buffers and dispatches.
    uint64_t maxStorageBufferRange = 0;
    uint64_t maxMemoryAllocationSize = 0;
    uint64_t minStorageBufferOffsetAlignment = 0;
    uint32_t maxComputeSharedMemorySize = 0;
    uint32_t maxComputeWorkGroupInvocations = 0;
    uint32_t maxComputeWorkGroupCount[3] = {};
    uint32_t maxPushConstantsSize = 0;

    // Compute queue family, or UINT32_MAX when the device cannot compute.
    uint32_t computeQueueFamily = UINT32_MAX;

    // Features.
    bool storageBuffer16BitAccess = false;
    bool storageBuffer8BitAccess = false;
    bool shaderFloat16 = false;
    bool shaderInt8 = false;
    bool shaderInt16 = false;
    bool shaderInt64 = false;
    uint32_t subgroupSize = 0;
    bool subgroupArithmetic = false; // subgroupAdd & co in compute shaders
    bool subgroupShuffle = false;
    bool subgroupClustered = false;
    bool subgroupSizeControl = false;
    uint32_t minSubgroupSize = 0;
    uint32_t maxSubgroupSize = 0;
    bool integerDotProduct = false;            // shaderIntegerDotProduct feature
    bool integerDotProduct4x8Accelerated = false; // ... and the driver says it is fast
    bool cooperativeMatrixKhr = false;         // VK_KHR_cooperative_matrix
    bool cooperativeMatrixNv = false;          // VK_NV_cooperative_matrix
    bool memoryBudget = false;                 // VK_EXT_memory_budget

    // Why Inkstone cannot run on this device, or empty when it can.
    std::string unsupportedReason() const;
    bool isCpu() const { return kind == DeviceKind::Cpu; }
};

DeviceInfo probeDevice(VkPhysicalDevice physical, uint32_t index);
std::vector<DeviceInfo> enumerateDevices(const Instance& instance);

// Picks a device. selector: empty for automatic, a decimal index, or a case-insensitive part of
// the name ("lavapipe", "nvidia"). Automatic choice prefers discrete, then integrated, then
// virtual, then CPU devices, then more device memory; it skips devices Inkstone cannot run on and,
// unless allowCpu, CPU implementations such as lavapipe (slower than the CPU backend).
// Returns an index into devices, or an error naming why none fits.
Result<size_t> chooseDevice(const std::vector<DeviceInfo>& devices, const std::string& selector, bool allowCpu);

} // namespace engine::gpu
