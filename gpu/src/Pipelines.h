#pragma once
// Compute pipelines, created on first use and looked up by shader variant name plus
// specialization constants, with a VkPipelineCache persisted in the user's cache folder so the
// driver's shader compilation is paid once per machine, not once per start.

#include "Handle.h"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace engine::gpu {

class Device;

struct Pipeline {
    std::string key;          // "matvec_q4_0[64]"
    uint32_t bindings = 0;    // storage buffers at set 0, bindings 0..n-1
    uint32_t pushBytes = 0;
    VkPipelineLayout layout = VK_NULL_HANDLE;        // owned by Pipelines
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE; // owned by Pipelines
    Handle<VkPipeline> pipeline;
};

class Pipelines {
public:
    // cacheFile: where the pipeline cache is read from and saved to; empty for none.
    Pipelines(Device& device, std::string cacheFile);
    ~Pipelines(); // saves the cache

    Pipelines(const Pipelines&) = delete;
    Pipelines& operator=(const Pipelines&) = delete;

    // The pipeline of an embedded shader with `bindings` storage buffers, a push-constant block
    // of pushBytes and the given specialization constants (constant_id 0, 1, ...).
    Result<const Pipeline*> get(std::string_view shader, uint32_t bindings, uint32_t pushBytes,
                                std::initializer_list<uint32_t> specConstants = {});

    Result<void> saveCache();
    const std::string& cacheFile() const { return m_cacheFile; }
    bool cacheLoadedFromDisk() const { return m_cacheLoaded; }
    size_t count() const;

    // The default cache folder: $XDG_CACHE_HOME/inkstone, else ~/.cache/inkstone; empty when
    // neither variable is set.
    static std::string defaultCacheDir();

private:
    struct Layout {
        Handle<VkDescriptorSetLayout> set;
        Handle<VkPipelineLayout> pipeline; // declared after set: destroyed first
    };
    Result<Layout*> layoutFor(uint32_t bindings, uint32_t pushBytes);

    Device& m_device;
    std::string m_cacheFile;
    bool m_cacheLoaded = false;
    mutable std::mutex m_mutex;
    Handle<VkPipelineCache> m_cache;
    std::map<std::pair<uint32_t, uint32_t>, std::unique_ptr<Layout>> m_layouts;
    std::unordered_map<std::string, std::unique_ptr<Pipeline>> m_pipelines; // destroyed before the layouts
};

} // namespace engine::gpu
