#include "VulkanSupport.h"

#include "GpuSupport.h"

#include "DeviceInfo.h"
#include "Instance.h"
#include "VulkanBackend.h"

#include <mutex>
#include <string>

namespace {

// Written by the engine thread before a load, read by the factory on the same thread; the
// mutex keeps a Settings change on another thread from tearing the string.
std::mutex g_selectorMutex;
std::string g_selector;

QList<GpuDevice> listDevices()
{
    QList<GpuDevice> list;
    auto instance = engine::gpu::Instance::create();
    if (!instance)
        return list; // no loader or driver: no devices, the engine falls back by itself
    for (const engine::gpu::DeviceInfo& info : engine::gpu::enumerateDevices(**instance)) {
        GpuDevice device;
        device.name = QString::fromStdString(info.name);
        device.kind = QString::fromLatin1(engine::gpu::deviceKindName(info.kind));
        device.memoryBytes = static_cast<qint64>(info.deviceLocalBytes);
        device.problem = QString::fromStdString(info.unsupportedReason());
        list.append(device);
    }
    return list;
}

} // namespace

engine::Result<std::unique_ptr<engine::model::Backend>> VulkanSupport::createBackend(std::shared_ptr<const engine::model::LoadedModel> model,
                                                                                     const engine::LoadOptions& options)
{
    engine::gpu::VulkanBackendOptions vulkan = engine::gpu::vulkanOptionsFor(options);
    {
        const std::lock_guard lock(g_selectorMutex);
        vulkan.deviceSelector = g_selector; // empty: $INKSTONE_VULKAN_DEVICE, else automatic
    }
    return engine::gpu::createVulkanBackend(std::move(model), vulkan);
}

void VulkanSupport::install()
{
    engine::model::setGpuBackendFactory(&VulkanSupport::createBackend);
    GpuSupport::install({&listDevices, [](const QString& selector) {
                             const std::lock_guard lock(g_selectorMutex);
                             g_selector = selector.trimmed().toStdString();
                         }});
}
