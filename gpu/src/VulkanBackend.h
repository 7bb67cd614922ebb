#pragma once
// engine::model::Backend on Vulkan: weights uploaded once in their GGUF types, KV cache in device
// memory, a forward pass recorded into one command batch per group of layers (the cancel flag is
// checked between groups), logits read back for the requested rows only.
//
// First slice: the llama/qwen2/qwen3/mistral family (RMSNorm, normal or NeoX RoPE with any host-
// side scaling, grouped-query attention, optional q/k/v/o biases, q/k norms, post-norms, gated or
// plain SiLU/GELU feed-forward, fused qkv and fused gate/up). Anything else (LayerNorm, learned
// positions, sliding windows, soft-capping, embedding scale) is refused with ErrorCode::Unsupported
// naming the feature, and the runtime falls back to the CPU.

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
};

// Why this backend cannot run the model, or empty when it can.
std::string unsupportedReason(const model::LoadedModel& model);

Result<std::unique_ptr<model::Backend>> createVulkanBackend(std::shared_ptr<const model::LoadedModel> model,
                                                            const VulkanBackendOptions& options = {});

class Device;

// The same on a device the caller owns and keeps alive longer than the backend (tests share one
// validated device this way).
Result<std::unique_ptr<model::Backend>> createVulkanBackendOn(std::shared_ptr<const model::LoadedModel> model, Device& device);

// Registers createVulkanBackend as the engine's GPU backend factory (model::setGpuBackendFactory):
// BackendChoice::Auto takes a real GPU only; BackendChoice::Vulkan also takes a CPU device.
void registerVulkanBackend();

} // namespace engine::gpu
