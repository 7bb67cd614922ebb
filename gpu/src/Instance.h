#pragma once
// The Vulkan instance, with the Khronos validation layer and a debug-utils messenger that counts
// what the layer reports, so tests can fail on any validation message.

#include "Handle.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace engine::gpu {

struct InstanceOptions {
    // Turn the validation layer on. INKSTONE_VULKAN_VALIDATION=1 in the environment does too.
    bool validation = false;
    // Fail (ErrorCode::Unsupported) rather than continue without the layer when it is missing.
    bool requireValidation = false;
};

class Instance {
public:
    static Result<std::unique_ptr<Instance>> create(const InstanceOptions& options = {});
    ~Instance();

    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    VkInstance handle() const { return m_instance.get(); }
    uint32_t apiVersion() const { return m_apiVersion; }
    bool validationEnabled() const { return m_validation; }

    std::vector<VkPhysicalDevice> physicalDevices() const;

    // What the validation layer reported since creation (or the last reset).
    int validationErrors() const { return m_messages->errors.load(); }
    int validationWarnings() const { return m_messages->warnings.load(); }
    std::string firstValidationMessage() const;
    void resetValidationCounts();

    // Shared with the debug callback; lives on the heap so its address never changes.
    struct Messages {
        std::atomic<int> errors{0};
        std::atomic<int> warnings{0};
        std::mutex mutex;
        std::string first; // guarded by mutex
    };

private:
    Instance() = default;

    uint32_t m_apiVersion = 0;
    bool m_validation = false;
    std::unique_ptr<Messages> m_messages = std::make_unique<Messages>();
    Handle<VkInstance, int> m_instance;
    Handle<VkDebugUtilsMessengerEXT, VkInstance> m_messenger; // declared last: destroyed first
};

} // namespace engine::gpu
