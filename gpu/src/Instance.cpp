#include "Instance.h"

#include "core/Log.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace engine::gpu {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool envFlag(const char* name)
{
    const char* v = std::getenv(name);
    return v && *v && std::strcmp(v, "0") != 0;
}

bool hasLayer(const char* name)
{
    uint32_t count = 0;
    if (vkEnumerateInstanceLayerProperties(&count, nullptr) != VK_SUCCESS)
        return false;
    std::vector<VkLayerProperties> layers(count);
    if (vkEnumerateInstanceLayerProperties(&count, layers.data()) != VK_SUCCESS)
        return false;
    return std::any_of(layers.begin(), layers.begin() + count,
                       [&](const VkLayerProperties& l) { return std::strcmp(l.layerName, name) == 0; });
}

bool hasInstanceExtension(const char* layer, const char* name)
{
    uint32_t count = 0;
    if (vkEnumerateInstanceExtensionProperties(layer, &count, nullptr) != VK_SUCCESS)
        return false;
    std::vector<VkExtensionProperties> exts(count);
    if (vkEnumerateInstanceExtensionProperties(layer, &count, exts.data()) != VK_SUCCESS)
        return false;
    return std::any_of(exts.begin(), exts.begin() + count,
                       [&](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
}

VKAPI_ATTR VkBool32 VKAPI_CALL onDebugMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                              VkDebugUtilsMessageTypeFlagsEXT types,
                                              const VkDebugUtilsMessengerCallbackDataEXT* data, void* user)
{
    auto* messages = static_cast<Instance::Messages*>(user);
    const bool error = severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    const bool warning = severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
    // Loader chatter (GENERAL) is not a finding about our use of the API.
    const bool relevant = types & (VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT);
    if (!relevant || (!error && !warning))
        return VK_FALSE;
    (error ? messages->errors : messages->warnings).fetch_add(1);
    const std::string text = std::string("vulkan validation ") + (error ? "error" : "warning") + ": "
        + (data && data->pMessage ? data->pMessage : "(no message)");
    {
        std::lock_guard lock(messages->mutex);
        if (messages->first.empty())
            messages->first = text;
    }
    log(error ? LogLevel::Error : LogLevel::Warning, text);
    return VK_FALSE; // never abort the call that triggered the message
}

} // namespace

Result<std::unique_ptr<Instance>> Instance::create(const InstanceOptions& options)
{
    if (auto loaded = loadVulkanLoader(); !loaded)
        return loaded.error();

    uint32_t loaderVersion = VK_API_VERSION_1_0;
    if (vkEnumerateInstanceVersion)
        vkEnumerateInstanceVersion(&loaderVersion);
    if (loaderVersion < VK_API_VERSION_1_1)
        return makeError(ErrorCode::Device, "the Vulkan loader supports only Vulkan 1.0; 1.2 is required");

    std::unique_ptr<Instance> self(new Instance);
    self->m_apiVersion = std::min<uint32_t>(loaderVersion, VK_API_VERSION_1_3);

    const bool wantValidation = options.validation || options.requireValidation || envFlag("INKSTONE_VULKAN_VALIDATION");
    std::vector<const char*> layers;
    std::vector<const char*> extensions;
    if (wantValidation) {
        if (hasLayer(kValidationLayer) && hasInstanceExtension(kValidationLayer, VK_EXT_DEBUG_UTILS_EXTENSION_NAME)) {
            layers.push_back(kValidationLayer);
            extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
            self->m_validation = true;
        } else if (options.requireValidation) {
            return makeError(ErrorCode::Unsupported, std::string("the Vulkan validation layer ") + kValidationLayer
                                                         + " is not installed (Debian: vulkan-validationlayers)");
        } else {
            logWarning(std::string("Vulkan validation requested but ") + kValidationLayer + " is not installed");
        }
    }

    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "Inkstone";
    app.applicationVersion = VK_MAKE_VERSION(0, 1, 0);
    app.pEngineName = "Inkstone";
    app.engineVersion = VK_MAKE_VERSION(0, 1, 0);
    app.apiVersion = self->m_apiVersion;

    // Chained into instance creation too, so messages from vkCreateInstance itself are counted.
    VkDebugUtilsMessengerCreateInfoEXT messengerInfo{};
    messengerInfo.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
    messengerInfo.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messengerInfo.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT
        | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messengerInfo.pfnUserCallback = onDebugMessage;
    messengerInfo.pUserData = self->m_messages.get();

    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pNext = self->m_validation ? &messengerInfo : nullptr;
    info.pApplicationInfo = &app;
    info.enabledLayerCount = static_cast<uint32_t>(layers.size());
    info.ppEnabledLayerNames = layers.data();
    info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();

    VkInstance instance = VK_NULL_HANDLE;
    if (VkResult r = vkCreateInstance(&info, nullptr, &instance); r != VK_SUCCESS) {
        if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
            return makeError(ErrorCode::Device, "no Vulkan driver is installed (vkCreateInstance: VK_ERROR_INCOMPATIBLE_DRIVER)");
        return vkError(r, "vkCreateInstance");
    }
    if (auto loaded = loadInstanceFunctions(instance); !loaded) {
        // vkDestroyInstance may itself be missing; the loader then owns a leaked instance, which
        // is the least bad outcome of a broken installation.
        if (vkDestroyInstance)
            vkDestroyInstance(instance, nullptr);
        return loaded.error();
    }
    self->m_instance = Handle<VkInstance, int>(0, instance, [](int, VkInstance i) { vkDestroyInstance(i, nullptr); });

    if (self->m_validation && vkCreateDebugUtilsMessengerEXT && vkDestroyDebugUtilsMessengerEXT) {
        VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
        if (VkResult r = vkCreateDebugUtilsMessengerEXT(instance, &messengerInfo, nullptr, &messenger); r != VK_SUCCESS)
            return vkError(r, "vkCreateDebugUtilsMessengerEXT");
        self->m_messenger = Handle<VkDebugUtilsMessengerEXT, VkInstance>(
            instance, messenger, [](VkInstance i, VkDebugUtilsMessengerEXT m) { vkDestroyDebugUtilsMessengerEXT(i, m, nullptr); });
    }
    return self;
}

Instance::~Instance() = default;

std::vector<VkPhysicalDevice> Instance::physicalDevices() const
{
    uint32_t count = 0;
    if (vkEnumeratePhysicalDevices(handle(), &count, nullptr) != VK_SUCCESS)
        return {};
    std::vector<VkPhysicalDevice> devices(count);
    if (vkEnumeratePhysicalDevices(handle(), &count, devices.data()) != VK_SUCCESS)
        return {};
    devices.resize(count);
    return devices;
}

std::string Instance::firstValidationMessage() const
{
    std::lock_guard lock(m_messages->mutex);
    return m_messages->first;
}

void Instance::resetValidationCounts()
{
    std::lock_guard lock(m_messages->mutex);
    m_messages->errors = 0;
    m_messages->warnings = 0;
    m_messages->first.clear();
}

} // namespace engine::gpu
