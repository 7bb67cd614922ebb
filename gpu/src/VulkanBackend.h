#pragma once
// engine::model::Backend on Vulkan: weights uploaded once in their GGUF types, KV cache in device
// memory, a forward pass recorded into one command batch per group of layers (the cancel flag is
// checked between groups), logits read back for the requested rows only. When the model does not
// fit (or fewer layers are asked for), the first layers run on the GPU and the rest on the CPU.
// What it cannot run is refused with ErrorCode::Unsupported naming the feature, and the runtime
// falls back to the CPU.

#include "core/Result.h"
#include "model/Backend.h"

#include <memory>
#include <string>

namespace engine::gpu {

struct VulkanBackendOptions {
    std::string deviceSelector;   // empty: $INKSTONE_VULKAN_DEVICE, else automatic
    bool allowCpuDevice = false;  // lavapipe & co: only when asked for (tests, --backend vulkan)
    bool validation = false;      // also on with INKSTONE_VULKAN_VALIDATION=1
    std::string pipelineCacheDir; // empty: the user's cache folder (DeviceOptions)

    // Partial offload (MemoryPlan.h): layers on the GPU, -1 for as many as fit in free device
    // memory (everything when it all fits); the rest and the output run on the CPU with
    // `threads`. The plan counts one context of contextLength cells of kvCacheType.
    int gpuLayers = -1;
    int contextLength = 0;        // 0: the model's, at most LoadOptions::kDefaultContextCap
    KvCacheType kvCacheType = KvCacheType::F16;
    int threads = 0;              // 0: the CPU backend's default
};

// The engine's load options as this backend's (a CPU device allowed only for BackendChoice::Vulkan).
VulkanBackendOptions vulkanOptionsFor(const LoadOptions& options);

// Why this backend cannot run the model, or empty when it can.
std::string unsupportedReason(const model::LoadedModel& model);

Result<std::unique_ptr<model::Backend>> createVulkanBackend(std::shared_ptr<const model::LoadedModel> model,
                                                            const VulkanBackendOptions& options = {});

class Device;

// The same on a device the caller owns and keeps alive longer than the backend (tests share one
// validated device this way); only the partial-offload fields of options apply.
Result<std::unique_ptr<model::Backend>> createVulkanBackendOn(std::shared_ptr<const model::LoadedModel> model, Device& device,
                                                              const VulkanBackendOptions& options = {});

// Registers createVulkanBackend as the engine's GPU backend factory (model::setGpuBackendFactory):
// BackendChoice::Auto takes a real GPU only; BackendChoice::Vulkan also takes a CPU device.
void registerVulkanBackend();

} // namespace engine::gpu
