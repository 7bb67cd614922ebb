#include "Pipelines.h"

#include "Device.h"
#include "EmbeddedShaders.h"
#include "core/Log.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace engine::gpu {

namespace {

std::vector<char> readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return {};
    return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

std::string Pipelines::defaultCacheDir()
{
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return std::string(xdg) + "/inkstone";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.cache/inkstone";
    return {};
}

Pipelines::Pipelines(Device& device, std::string cacheFile) : m_device(device), m_cacheFile(std::move(cacheFile))
{
    // The driver checks the header (vendor, device, cache UUID) and ignores data that is not its
    // own, so a stale or foreign file costs nothing but a recompile.
    std::vector<char> data;
    if (!m_cacheFile.empty())
        data = readFile(m_cacheFile);
    VkPipelineCacheCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO;
    info.initialDataSize = data.size();
    info.pInitialData = data.empty() ? nullptr : data.data();
    VkPipelineCache cache = VK_NULL_HANDLE;
    VkResult r = vkCreatePipelineCache(device.handle(), &info, nullptr, &cache);
    if (r != VK_SUCCESS && !data.empty()) {
        info.initialDataSize = 0;
        info.pInitialData = nullptr;
        r = vkCreatePipelineCache(device.handle(), &info, nullptr, &cache);
        data.clear();
    }
    if (r == VK_SUCCESS) {
        m_cache = Handle<VkPipelineCache>(device.handle(), cache, [](VkDevice d, VkPipelineCache c) { vkDestroyPipelineCache(d, c, nullptr); });
        m_cacheLoaded = !data.empty();
    } else {
        logWarning(std::string("Vulkan pipeline cache unavailable: ") + vkResultName(r));
    }
}

Pipelines::~Pipelines()
{
    if (auto saved = saveCache(); !saved)
        logWarning("could not save the Vulkan pipeline cache: " + saved.error().detail);
}

size_t Pipelines::count() const
{
    std::lock_guard lock(m_mutex);
    return m_pipelines.size();
}

Result<void> Pipelines::saveCache()
{
    std::lock_guard lock(m_mutex);
    if (m_cacheFile.empty() || !m_cache || m_pipelines.empty())
        return {};
    size_t size = 0;
    if (VkResult r = vkGetPipelineCacheData(m_device.handle(), m_cache.get(), &size, nullptr); r != VK_SUCCESS)
        return vkError(r, "vkGetPipelineCacheData");
    std::vector<char> data(size);
    if (VkResult r = vkGetPipelineCacheData(m_device.handle(), m_cache.get(), &size, data.data()); r != VK_SUCCESS && r != VK_INCOMPLETE)
        return vkError(r, "vkGetPipelineCacheData");
    data.resize(size);

    // Written beside the target and renamed, so a crash never leaves half a file to be read.
    const std::filesystem::path target(m_cacheFile);
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
    const std::string temp = m_cacheFile + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        if (!out)
            return makeError(ErrorCode::Io, "cannot write " + temp);
    }
    std::filesystem::rename(temp, target, ec);
    if (ec)
        return makeError(ErrorCode::Io, "cannot rename " + temp + ": " + ec.message());
    return {};
}

Result<Pipelines::Layout*> Pipelines::layoutFor(uint32_t bindings, uint32_t pushBytes)
{
    auto& slot = m_layouts[{bindings, pushBytes}];
    if (slot)
        return slot.get();
    const VkDevice dev = m_device.handle();
    auto layout = std::make_unique<Layout>();

    std::vector<VkDescriptorSetLayoutBinding> entries(bindings);
    for (uint32_t i = 0; i < bindings; ++i) {
        entries[i] = {};
        entries[i].binding = i;
        entries[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        entries[i].descriptorCount = 1;
        entries[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo setInfo{};
    setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    setInfo.bindingCount = bindings;
    setInfo.pBindings = entries.data();
    VkDescriptorSetLayout set = VK_NULL_HANDLE;
    if (VkResult r = vkCreateDescriptorSetLayout(dev, &setInfo, nullptr, &set); r != VK_SUCCESS) {
        m_layouts.erase({bindings, pushBytes});
        return vkError(r, "vkCreateDescriptorSetLayout");
    }
    layout->set = Handle<VkDescriptorSetLayout>(dev, set, [](VkDevice d, VkDescriptorSetLayout l) { vkDestroyDescriptorSetLayout(d, l, nullptr); });

    VkPushConstantRange range{};
    range.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    range.size = pushBytes;
    VkPipelineLayoutCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    info.setLayoutCount = 1;
    info.pSetLayouts = &set;
    info.pushConstantRangeCount = pushBytes ? 1 : 0;
    info.pPushConstantRanges = pushBytes ? &range : nullptr;
    VkPipelineLayout pipelineLayout = VK_NULL_HANDLE;
    if (VkResult r = vkCreatePipelineLayout(dev, &info, nullptr, &pipelineLayout); r != VK_SUCCESS) {
        m_layouts.erase({bindings, pushBytes});
        return vkError(r, "vkCreatePipelineLayout");
    }
    layout->pipeline = Handle<VkPipelineLayout>(dev, pipelineLayout, [](VkDevice d, VkPipelineLayout l) { vkDestroyPipelineLayout(d, l, nullptr); });
    slot = std::move(layout);
    return slot.get();
}

Result<const Pipeline*> Pipelines::get(std::string_view shader, uint32_t bindings, uint32_t pushBytes,
                                       std::initializer_list<uint32_t> specConstants)
{
    std::string key(shader);
    key += '[';
    for (uint32_t c : specConstants)
        key += std::to_string(c) + ',';
    key += ']';

    std::lock_guard lock(m_mutex);
    if (auto it = m_pipelines.find(key); it != m_pipelines.end())
        return it->second.get();

    const EmbeddedShader* code = findShader(shader);
    if (!code)
        return makeError(ErrorCode::Internal, "no embedded shader named '" + std::string(shader) + "'");
    if (pushBytes > m_device.info().maxPushConstantsSize)
        return makeError(ErrorCode::Unsupported, "push constants of " + std::to_string(pushBytes) + " bytes for " + key);
    Result<Layout*> layout = layoutFor(bindings, pushBytes);
    if (!layout)
        return layout.error();

    const VkDevice dev = m_device.handle();
    VkShaderModuleCreateInfo moduleInfo{};
    moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    moduleInfo.codeSize = code->bytes;
    moduleInfo.pCode = code->code;
    VkShaderModule rawModule = VK_NULL_HANDLE;
    if (VkResult r = vkCreateShaderModule(dev, &moduleInfo, nullptr, &rawModule); r != VK_SUCCESS)
        return vkError(r, "vkCreateShaderModule");
    // Only needed while the pipeline is created.
    Handle<VkShaderModule> module(dev, rawModule, [](VkDevice d, VkShaderModule m) { vkDestroyShaderModule(d, m, nullptr); });

    const std::vector<uint32_t> values(specConstants);
    std::vector<VkSpecializationMapEntry> entries(values.size());
    for (uint32_t i = 0; i < values.size(); ++i)
        entries[i] = {i, static_cast<uint32_t>(i * sizeof(uint32_t)), sizeof(uint32_t)};
    VkSpecializationInfo spec{};
    spec.mapEntryCount = static_cast<uint32_t>(entries.size());
    spec.pMapEntries = entries.data();
    spec.dataSize = values.size() * sizeof(uint32_t);
    spec.pData = values.data();

    VkComputePipelineCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = module.get();
    info.stage.pName = "main";
    info.stage.pSpecializationInfo = values.empty() ? nullptr : &spec;
    info.layout = (*layout)->pipeline.get();
    VkPipeline raw = VK_NULL_HANDLE;
    if (VkResult r = vkCreateComputePipelines(dev, m_cache.get(), 1, &info, nullptr, &raw); r != VK_SUCCESS)
        return vkError(r, ("vkCreateComputePipelines (" + key + ")").c_str());

    auto pipeline = std::make_unique<Pipeline>();
    pipeline->key = key;
    pipeline->bindings = bindings;
    pipeline->pushBytes = pushBytes;
    pipeline->layout = (*layout)->pipeline.get();
    pipeline->setLayout = (*layout)->set.get();
    pipeline->pipeline = Handle<VkPipeline>(dev, raw, [](VkDevice d, VkPipeline p) { vkDestroyPipeline(d, p, nullptr); });
    const Pipeline* result = pipeline.get();
    m_pipelines.emplace(key, std::move(pipeline));
    return result;
}

} // namespace engine::gpu
