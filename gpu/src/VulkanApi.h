#pragma once
// The Vulkan entry points Inkstone uses, loaded at run time from libvulkan.so.1 (as volk does), so
// the app still starts on a machine without a Vulkan loader and can say "no Vulkan" instead of
// failing to launch. Inside engine::gpu the pointers carry the usual names (vkCreateBuffer ...).

#ifndef VK_NO_PROTOTYPES
#define VK_NO_PROTOTYPES
#endif
#include <vulkan/vulkan.h>

#include "core/Result.h"

#define INKSTONE_VK_GLOBAL_FUNCTIONS(X)                                                            \
    X(vkCreateInstance)                                                                            \
    X(vkEnumerateInstanceExtensionProperties)                                                      \
    X(vkEnumerateInstanceLayerProperties)                                                          \
    X(vkEnumerateInstanceVersion)

#define INKSTONE_VK_INSTANCE_FUNCTIONS(X)                                                          \
    X(vkDestroyInstance)                                                                           \
    X(vkEnumeratePhysicalDevices)                                                                  \
    X(vkGetPhysicalDeviceProperties)                                                               \
    X(vkGetPhysicalDeviceProperties2)                                                              \
    X(vkGetPhysicalDeviceFeatures2)                                                                \
    X(vkGetPhysicalDeviceMemoryProperties)                                                         \
    X(vkGetPhysicalDeviceMemoryProperties2)                                                        \
    X(vkGetPhysicalDeviceQueueFamilyProperties)                                                    \
    X(vkEnumerateDeviceExtensionProperties)                                                        \
    X(vkCreateDevice)                                                                              \
    X(vkDestroyDevice)                                                                             \
    X(vkGetDeviceQueue)                                                                            \
    X(vkCreateBuffer)                                                                              \
    X(vkDestroyBuffer)                                                                             \
    X(vkGetBufferMemoryRequirements)                                                               \
    X(vkAllocateMemory)                                                                            \
    X(vkFreeMemory)                                                                                \
    X(vkBindBufferMemory)                                                                          \
    X(vkMapMemory)                                                                                 \
    X(vkUnmapMemory)                                                                               \
    X(vkInvalidateMappedMemoryRanges)                                                              \
    X(vkFlushMappedMemoryRanges)                                                                   \
    X(vkCreateShaderModule)                                                                        \
    X(vkDestroyShaderModule)                                                                       \
    X(vkCreateDescriptorSetLayout)                                                                 \
    X(vkDestroyDescriptorSetLayout)                                                                \
    X(vkCreatePipelineLayout)                                                                      \
    X(vkDestroyPipelineLayout)                                                                     \
    X(vkCreateComputePipelines)                                                                    \
    X(vkDestroyPipeline)                                                                           \
    X(vkCreatePipelineCache)                                                                       \
    X(vkDestroyPipelineCache)                                                                      \
    X(vkGetPipelineCacheData)                                                                      \
    X(vkCreateDescriptorPool)                                                                      \
    X(vkDestroyDescriptorPool)                                                                     \
    X(vkResetDescriptorPool)                                                                       \
    X(vkAllocateDescriptorSets)                                                                    \
    X(vkUpdateDescriptorSets)                                                                      \
    X(vkCreateCommandPool)                                                                         \
    X(vkDestroyCommandPool)                                                                        \
    X(vkResetCommandPool)                                                                          \
    X(vkAllocateCommandBuffers)                                                                    \
    X(vkFreeCommandBuffers)                                                                        \
    X(vkBeginCommandBuffer)                                                                        \
    X(vkEndCommandBuffer)                                                                          \
    X(vkCmdBindPipeline)                                                                           \
    X(vkCmdBindDescriptorSets)                                                                     \
    X(vkCmdPushConstants)                                                                          \
    X(vkCmdDispatch)                                                                               \
    X(vkCmdPipelineBarrier)                                                                        \
    X(vkCmdCopyBuffer)                                                                             \
    X(vkCmdFillBuffer)                                                                             \
    X(vkQueueSubmit)                                                                               \
    X(vkDeviceWaitIdle)                                                                            \
    X(vkCreateFence)                                                                               \
    X(vkDestroyFence)                                                                              \
    X(vkWaitForFences)                                                                             \
    X(vkResetFences)

// Extension entry points: may be null (the extension is optional).
#define INKSTONE_VK_OPTIONAL_FUNCTIONS(X)                                                          \
    X(vkCreateDebugUtilsMessengerEXT)                                                              \
    X(vkDestroyDebugUtilsMessengerEXT)

namespace engine::gpu {

#define INKSTONE_VK_DECLARE(name) extern PFN_##name name;
INKSTONE_VK_GLOBAL_FUNCTIONS(INKSTONE_VK_DECLARE)
INKSTONE_VK_INSTANCE_FUNCTIONS(INKSTONE_VK_DECLARE)
INKSTONE_VK_OPTIONAL_FUNCTIONS(INKSTONE_VK_DECLARE)
#undef INKSTONE_VK_DECLARE

// Opens the Vulkan loader once per process and resolves the global entry points. Fails with
// ErrorCode::Device ("no Vulkan loader ...") when libvulkan.so.1 is not installed.
Result<void> loadVulkanLoader();

// Resolves the instance- and device-level entry points through the loader's trampolines.
// Called by Instance::create.
Result<void> loadInstanceFunctions(VkInstance instance);

// "VK_ERROR_OUT_OF_DEVICE_MEMORY" and the like, for error details.
const char* vkResultName(VkResult result);

// Maps a failed VkResult to an engine error: OutOfMemory for the two out-of-memory codes,
// Device for everything else (device lost, initialization failed ...).
Error vkError(VkResult result, const char* what);

} // namespace engine::gpu
