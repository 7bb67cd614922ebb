#include "VulkanApi.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace engine::gpu {

#define INKSTONE_VK_DEFINE(name) PFN_##name name = nullptr;
INKSTONE_VK_GLOBAL_FUNCTIONS(INKSTONE_VK_DEFINE)
INKSTONE_VK_INSTANCE_FUNCTIONS(INKSTONE_VK_DEFINE)
INKSTONE_VK_OPTIONAL_FUNCTIONS(INKSTONE_VK_DEFINE)
#undef INKSTONE_VK_DEFINE

namespace {

std::mutex g_loadMutex;
PFN_vkGetInstanceProcAddr g_getInstanceProcAddr = nullptr;
std::string g_loaderError; // set once when the loader cannot be opened

bool openLoader()
{
    // The handle is intentionally kept for the life of the process: function pointers into the
    // loader stay valid however many instances come and go.
    void* lib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        lib = dlopen("libvulkan.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char* why = dlerror();
        g_loaderError = std::string("no Vulkan loader (libvulkan.so.1): ") + (why ? why : "not found");
        return false;
    }
    g_getInstanceProcAddr = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(lib, "vkGetInstanceProcAddr"));
    if (!g_getInstanceProcAddr) {
        g_loaderError = "the Vulkan loader has no vkGetInstanceProcAddr";
        return false;
    }
#define INKSTONE_VK_LOAD_GLOBAL(name) name = reinterpret_cast<PFN_##name>(g_getInstanceProcAddr(nullptr, #name));
    INKSTONE_VK_GLOBAL_FUNCTIONS(INKSTONE_VK_LOAD_GLOBAL)
#undef INKSTONE_VK_LOAD_GLOBAL
    if (!vkCreateInstance || !vkEnumerateInstanceExtensionProperties || !vkEnumerateInstanceLayerProperties) {
        g_loaderError = "the Vulkan loader lacks core entry points";
        return false;
    }
    return true;
}

} // namespace

Result<void> loadVulkanLoader()
{
    std::lock_guard lock(g_loadMutex);
    static const bool opened = openLoader();
    if (!opened)
        return makeError(ErrorCode::Device, g_loaderError);
    return {};
}

Result<void> loadInstanceFunctions(VkInstance instance)
{
    std::lock_guard lock(g_loadMutex);
    if (!g_getInstanceProcAddr)
        return makeError(ErrorCode::Device, "the Vulkan loader is not open");
    std::string missing;
#define INKSTONE_VK_LOAD_REQUIRED(name)                                                             \
    name = reinterpret_cast<PFN_##name>(g_getInstanceProcAddr(instance, #name));                   \
    if (!name)                                                                                     \
        missing += std::string(missing.empty() ? "" : ", ") + #name;
    INKSTONE_VK_INSTANCE_FUNCTIONS(INKSTONE_VK_LOAD_REQUIRED)
#undef INKSTONE_VK_LOAD_REQUIRED
    // An instance without the extension answers null; the pointers an earlier instance loaded are
    // loader trampolines that dispatch by instance, so they stay valid and are kept (another live
    // instance may still need them for its destruction).
#define INKSTONE_VK_LOAD_OPTIONAL(name)                                                            \
    if (auto f = reinterpret_cast<PFN_##name>(g_getInstanceProcAddr(instance, #name)))            \
        name = f;
    INKSTONE_VK_OPTIONAL_FUNCTIONS(INKSTONE_VK_LOAD_OPTIONAL)
#undef INKSTONE_VK_LOAD_OPTIONAL
    if (!missing.empty())
        return makeError(ErrorCode::Device, "the Vulkan loader lacks " + missing + " (Vulkan 1.1 or later is required)");
    return {};
}

const char* vkResultName(VkResult result)
{
    switch (result) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_NOT_READY: return "VK_NOT_READY";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    case VK_INCOMPLETE: return "VK_INCOMPLETE";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_FORMAT_NOT_SUPPORTED: return "VK_ERROR_FORMAT_NOT_SUPPORTED";
    case VK_ERROR_FRAGMENTED_POOL: return "VK_ERROR_FRAGMENTED_POOL";
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
    default: return "VK_ERROR_UNKNOWN";
    }
}

Error vkError(VkResult result, const char* what)
{
    const bool oom = result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY;
    return makeError(oom ? ErrorCode::OutOfMemory : ErrorCode::Device,
                     std::string(what) + " failed: " + vkResultName(result));
}

} // namespace engine::gpu
