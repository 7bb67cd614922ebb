#include "DeviceInfo.h"

#include "Instance.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

namespace engine::gpu {

const char* deviceKindName(DeviceKind kind)
{
    switch (kind) {
    case DeviceKind::Discrete: return "discrete";
    case DeviceKind::Integrated: return "integrated";
    case DeviceKind::Virtual: return "virtual";
    case DeviceKind::Cpu: return "cpu";
    case DeviceKind::Other: return "other";
    }
    return "other";
}

std::string DeviceInfo::unsupportedReason() const
{
    if (apiVersion < VK_API_VERSION_1_2)
        return "Vulkan 1.2 is required";
    if (computeQueueFamily == UINT32_MAX)
        return "no compute queue";
    if (!storageBuffer16BitAccess)
        return "no 16-bit storage buffer access";
    if (!storageBuffer8BitAccess)
        return "no 8-bit storage buffer access";
    return {};
}

namespace {

DeviceKind kindOf(VkPhysicalDeviceType type)
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return DeviceKind::Discrete;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return DeviceKind::Integrated;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return DeviceKind::Virtual;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return DeviceKind::Cpu;
    default: return DeviceKind::Other;
    }
}

int kindRank(DeviceKind kind)
{
    switch (kind) {
    case DeviceKind::Discrete: return 0;
    case DeviceKind::Integrated: return 1;
    case DeviceKind::Virtual: return 2;
    case DeviceKind::Cpu: return 3;
    case DeviceKind::Other: return 4;
    }
    return 4;
}

std::vector<std::string> deviceExtensions(VkPhysicalDevice physical)
{
    uint32_t count = 0;
    if (vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr) != VK_SUCCESS)
        return {};
    std::vector<VkExtensionProperties> props(count);
    if (vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, props.data()) != VK_SUCCESS)
        return {};
    std::vector<std::string> names;
    for (uint32_t i = 0; i < count; ++i)
        names.emplace_back(props[i].extensionName);
    return names;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

} // namespace

DeviceInfo probeDevice(VkPhysicalDevice physical, uint32_t index)
{
    DeviceInfo info;
    info.physical = physical;
    info.index = index;

    VkPhysicalDeviceProperties base{};
    vkGetPhysicalDeviceProperties(physical, &base);
    info.apiVersion = base.apiVersion;
    const bool v12 = base.apiVersion >= VK_API_VERSION_1_2;
    const bool v13 = base.apiVersion >= VK_API_VERSION_1_3;

    const std::vector<std::string> exts = deviceExtensions(physical);
    auto hasExt = [&](const char* name) { return std::find(exts.begin(), exts.end(), name) != exts.end(); };
    info.cooperativeMatrixKhr = hasExt("VK_KHR_cooperative_matrix");
    info.cooperativeMatrixNv = hasExt("VK_NV_cooperative_matrix");
    info.memoryBudget = hasExt("VK_EXT_memory_budget");

    // Properties: a pNext chain, each struct only when the device's version defines it.
    VkPhysicalDeviceSubgroupProperties subgroup{};
    subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
    VkPhysicalDeviceMaintenance3Properties maintenance3{};
    maintenance3.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES;
    maintenance3.pNext = &subgroup;
    VkPhysicalDeviceVulkan12Properties props12{};
    props12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES;
    VkPhysicalDeviceVulkan13Properties props13{};
    props13.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_PROPERTIES;
    void* chain = &maintenance3;
    if (v12) {
        props12.pNext = chain;
        chain = &props12;
    }
    if (v13) {
        props13.pNext = chain;
        chain = &props13;
    }
    VkPhysicalDeviceProperties2 props2{};
    props2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    props2.pNext = chain;
    vkGetPhysicalDeviceProperties2(physical, &props2);
    const VkPhysicalDeviceProperties& p = props2.properties;

    info.name = p.deviceName;
    info.kind = kindOf(p.deviceType);
    info.vendorId = p.vendorID;
    info.deviceId = p.deviceID;
    std::memcpy(info.pipelineCacheUuid, p.pipelineCacheUUID, VK_UUID_SIZE);
    if (v12) {
        info.driverName = props12.driverName;
        info.driverInfo = props12.driverInfo;
    }
    info.maxStorageBufferRange = p.limits.maxStorageBufferRange;
    info.maxMemoryAllocationSize = maintenance3.maxMemoryAllocationSize;
    info.minStorageBufferOffsetAlignment = p.limits.minStorageBufferOffsetAlignment;
    info.maxComputeSharedMemorySize = p.limits.maxComputeSharedMemorySize;
    info.maxComputeWorkGroupInvocations = p.limits.maxComputeWorkGroupInvocations;
    for (int i = 0; i < 3; ++i)
        info.maxComputeWorkGroupCount[i] = p.limits.maxComputeWorkGroupCount[i];
    info.maxPushConstantsSize = p.limits.maxPushConstantsSize;

    info.subgroupSize = subgroup.subgroupSize;
    const bool computeSubgroups = subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT;
    info.subgroupArithmetic = computeSubgroups && (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
    info.subgroupShuffle = computeSubgroups && (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT);
    info.subgroupClustered = computeSubgroups && (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_CLUSTERED_BIT);
    if (v13) {
        info.minSubgroupSize = props13.minSubgroupSize;
        info.maxSubgroupSize = props13.maxSubgroupSize;
        info.integerDotProduct4x8Accelerated = props13.integerDotProduct4x8BitPackedSignedAccelerated;
    } else {
        info.minSubgroupSize = info.maxSubgroupSize = info.subgroupSize;
    }

    // Features.
    VkPhysicalDeviceVulkan11Features f11{};
    f11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
    VkPhysicalDeviceVulkan12Features f12{};
    f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    VkPhysicalDeviceVulkan13Features f13{};
    f13.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
    VkPhysicalDeviceFeatures2 features{};
    features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    if (v12) {
        features.pNext = &f11;
        f11.pNext = &f12;
        if (v13)
            f12.pNext = &f13;
    }
    vkGetPhysicalDeviceFeatures2(physical, &features);
    info.shaderInt16 = features.features.shaderInt16;
    info.shaderInt64 = features.features.shaderInt64;
    if (v12) {
        info.storageBuffer16BitAccess = f11.storageBuffer16BitAccess;
        info.storageBuffer8BitAccess = f12.storageBuffer8BitAccess;
        info.shaderFloat16 = f12.shaderFloat16;
        info.shaderInt8 = f12.shaderInt8;
    }
    if (v13) {
        info.subgroupSizeControl = f13.subgroupSizeControl && f13.computeFullSubgroups;
        info.integerDotProduct = f13.shaderIntegerDotProduct;
    }

    VkPhysicalDeviceMemoryProperties memory{};
    vkGetPhysicalDeviceMemoryProperties(physical, &memory);
    for (uint32_t h = 0; h < memory.memoryHeapCount; ++h) {
        if (!(memory.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT))
            continue;
        info.deviceLocalBytes += memory.memoryHeaps[h].size;
        for (uint32_t t = 0; t < memory.memoryTypeCount; ++t) {
            const VkMemoryPropertyFlags f = memory.memoryTypes[t].propertyFlags;
            if (memory.memoryTypes[t].heapIndex == h && (f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
                && (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)) {
                info.hostVisibleDeviceLocalBytes += memory.memoryHeaps[h].size;
                break;
            }
        }
    }

    uint32_t familyCount = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &familyCount, nullptr);
    std::vector<VkQueueFamilyProperties> families(familyCount);
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &familyCount, families.data());
    // Prefer a family with compute but no graphics: on discrete GPUs it runs beside the desktop.
    for (uint32_t i = 0; i < familyCount; ++i) {
        const VkQueueFlags f = families[i].queueFlags;
        if (!(f & VK_QUEUE_COMPUTE_BIT) || families[i].queueCount == 0)
            continue;
        if (info.computeQueueFamily == UINT32_MAX || !(f & VK_QUEUE_GRAPHICS_BIT))
            info.computeQueueFamily = i;
        if (!(f & VK_QUEUE_GRAPHICS_BIT))
            break;
    }
    return info;
}

std::vector<DeviceInfo> enumerateDevices(const Instance& instance)
{
    std::vector<DeviceInfo> result;
    const std::vector<VkPhysicalDevice> devices = instance.physicalDevices();
    for (uint32_t i = 0; i < devices.size(); ++i)
        result.push_back(probeDevice(devices[i], i));
    return result;
}

Result<size_t> chooseDevice(const std::vector<DeviceInfo>& devices, const std::string& selector, bool allowCpu)
{
    if (devices.empty())
        return makeError(ErrorCode::Device, "no Vulkan device found");

    if (!selector.empty()) {
        const bool numeric = std::all_of(selector.begin(), selector.end(), [](unsigned char c) { return std::isdigit(c); });
        std::vector<size_t> matches;
        for (size_t i = 0; i < devices.size(); ++i) {
            if (numeric ? std::to_string(devices[i].index) == selector
                        : lower(devices[i].name).find(lower(selector)) != std::string::npos)
                matches.push_back(i);
        }
        if (matches.empty())
            return makeError(ErrorCode::InvalidArgument, "no Vulkan device matches '" + selector + "'");
        // A name may match several identical cards; the first usable one is as good as any.
        for (size_t i : matches) {
            if (devices[i].unsupportedReason().empty())
                return i;
        }
        const DeviceInfo& d = devices[matches.front()];
        return makeError(ErrorCode::Unsupported, "Vulkan device '" + d.name + "' cannot run Inkstone: " + d.unsupportedReason());
    }

    std::optional<size_t> best;
    std::string skipped;
    for (size_t i = 0; i < devices.size(); ++i) {
        const DeviceInfo& d = devices[i];
        std::string why = d.unsupportedReason();
        if (why.empty() && d.isCpu() && !allowCpu)
            why = "a CPU implementation (slower than the CPU backend)";
        if (!why.empty()) {
            skipped += (skipped.empty() ? "" : "; ") + d.name + ": " + why;
            continue;
        }
        if (!best) {
            best = i;
            continue;
        }
        const DeviceInfo& b = devices[*best];
        if (kindRank(d.kind) < kindRank(b.kind) || (d.kind == b.kind && d.deviceLocalBytes > b.deviceLocalBytes))
            best = i;
    }
    if (!best)
        return makeError(ErrorCode::Device, "no usable Vulkan device (" + skipped + ")");
    return *best;
}

} // namespace engine::gpu
