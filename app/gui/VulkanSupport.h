#pragma once
// The desktop app's Vulkan glue (built only with inkstone_gpu): the engine's GPU factory with the
// device chosen in Settings, and the GpuSupport hooks that list devices for Settings.

#include "core/Result.h"
#include "model/Backend.h"

#include <memory>

namespace VulkanSupport {

// Registers the factory with the engine and installs the GpuSupport hooks.
void install();

// What the registered factory does: the Vulkan backend on the selected device (a CPU device such
// as lavapipe only for BackendChoice::Vulkan or when selected by name). Tests wrap it.
engine::Result<std::unique_ptr<engine::model::Backend>> createBackend(std::shared_ptr<const engine::model::LoadedModel> model,
                                                                      const engine::LoadOptions& options);

} // namespace VulkanSupport
