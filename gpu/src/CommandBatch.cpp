#include "CommandBatch.h"

#include "Pipelines.h"

#include <algorithm>
#include <string>

namespace engine::gpu {

namespace {

constexpr uint32_t kSetsPerPool = 512;
constexpr uint32_t kMaxBindings = 8;

bool contains(const std::vector<VkBuffer>& list, VkBuffer b)
{
    return std::find(list.begin(), list.end(), b) != list.end();
}

} // namespace

Result<std::unique_ptr<CommandBatch>> CommandBatch::create(Device& device)
{
    std::unique_ptr<CommandBatch> self(new CommandBatch(device));
    const VkDevice dev = device.handle();

    VkCommandPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.queueFamilyIndex = device.queueFamily();
    VkCommandPool pool = VK_NULL_HANDLE;
    if (VkResult r = vkCreateCommandPool(dev, &poolInfo, nullptr, &pool); r != VK_SUCCESS)
        return vkError(r, "vkCreateCommandPool");
    self->m_pool = Handle<VkCommandPool>(dev, pool, [](VkDevice d, VkCommandPool p) { vkDestroyCommandPool(d, p, nullptr); });

    VkCommandBufferAllocateInfo cbInfo{};
    cbInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    cbInfo.commandPool = pool;
    cbInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cbInfo.commandBufferCount = 1;
    if (VkResult r = vkAllocateCommandBuffers(dev, &cbInfo, &self->m_commands); r != VK_SUCCESS)
        return vkError(r, "vkAllocateCommandBuffers");

    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    VkFence fence = VK_NULL_HANDLE;
    if (VkResult r = vkCreateFence(dev, &fenceInfo, nullptr, &fence); r != VK_SUCCESS)
        return vkError(r, "vkCreateFence");
    self->m_fence = Handle<VkFence>(dev, fence, [](VkDevice d, VkFence f) { vkDestroyFence(d, f, nullptr); });
    return self;
}

CommandBatch::~CommandBatch() = default;

Result<void> CommandBatch::begin()
{
    const VkDevice dev = m_device.handle();
    if (VkResult r = vkResetCommandPool(dev, m_pool.get(), 0); r != VK_SUCCESS)
        return vkError(r, "vkResetCommandPool");
    for (auto& pool : m_descriptorPools) {
        if (VkResult r = vkResetDescriptorPool(dev, pool.get(), 0); r != VK_SUCCESS)
            return vkError(r, "vkResetDescriptorPool");
    }
    m_currentPool = 0;
    VkCommandBufferBeginInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    if (VkResult r = vkBeginCommandBuffer(m_commands, &info); r != VK_SUCCESS)
        return vkError(r, "vkBeginCommandBuffer");
    m_recording = true;
    m_dispatches = 0;
    m_barriers = 0;
    m_read.clear();
    m_written.clear();
    m_writtenDisjoint.clear();
    return {};
}

Result<VkDescriptorSet> CommandBatch::allocateSet(VkDescriptorSetLayout layout)
{
    const VkDevice dev = m_device.handle();
    for (;;) {
        if (m_currentPool == m_descriptorPools.size()) {
            VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSetsPerPool * kMaxBindings};
            VkDescriptorPoolCreateInfo info{};
            info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
            info.maxSets = kSetsPerPool;
            info.poolSizeCount = 1;
            info.pPoolSizes = &size;
            VkDescriptorPool pool = VK_NULL_HANDLE;
            if (VkResult r = vkCreateDescriptorPool(dev, &info, nullptr, &pool); r != VK_SUCCESS)
                return vkError(r, "vkCreateDescriptorPool");
            m_descriptorPools.emplace_back(dev, pool, [](VkDevice d, VkDescriptorPool p) { vkDestroyDescriptorPool(d, p, nullptr); });
        }
        VkDescriptorSetAllocateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
        info.descriptorPool = m_descriptorPools[m_currentPool].get();
        info.descriptorSetCount = 1;
        info.pSetLayouts = &layout;
        VkDescriptorSet set = VK_NULL_HANDLE;
        const VkResult r = vkAllocateDescriptorSets(dev, &info, &set);
        if (r == VK_SUCCESS)
            return set;
        if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL)
            return vkError(r, "vkAllocateDescriptorSets");
        ++m_currentPool; // this pool is full: move to the next, creating it if needed
    }
}

void CommandBatch::barrierIfNeeded(std::initializer_list<Binding> bindings)
{
    bool hazard = false;
    for (const Binding& b : bindings) {
        const VkBuffer h = b.buffer->handle();
        switch (b.access) {
        case Access::Read: hazard |= contains(m_written, h) || contains(m_writtenDisjoint, h); break;
        case Access::Write: hazard |= contains(m_written, h) || contains(m_writtenDisjoint, h) || contains(m_read, h); break;
        case Access::WriteDisjoint: hazard |= contains(m_written, h) || contains(m_read, h); break;
        }
    }
    if (hazard) {
        VkMemoryBarrier barrier{};
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
        barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT;
        barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
        vkCmdPipelineBarrier(m_commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1,
                             &barrier, 0, nullptr, 0, nullptr);
        ++m_barriers;
        m_read.clear();
        m_written.clear();
        m_writtenDisjoint.clear();
    }
    for (const Binding& b : bindings) {
        const VkBuffer h = b.buffer->handle();
        auto& list = b.access == Access::Read ? m_read : b.access == Access::Write ? m_written : m_writtenDisjoint;
        if (!contains(list, h))
            list.push_back(h);
    }
}

Result<void> CommandBatch::dispatch(const Pipeline& pipeline, std::initializer_list<Binding> bindings, const void* push,
                                    uint32_t pushBytes, uint32_t groupsX, uint32_t groupsY, uint32_t groupsZ)
{
    if (bindings.size() != pipeline.bindings || bindings.size() > kMaxBindings)
        return makeError(ErrorCode::Internal, pipeline.key + ": " + std::to_string(bindings.size()) + " buffers bound, "
                                                  + std::to_string(pipeline.bindings) + " expected");
    if (pushBytes != pipeline.pushBytes)
        return makeError(ErrorCode::Internal, pipeline.key + ": push constants of " + std::to_string(pushBytes) + " bytes, "
                                                  + std::to_string(pipeline.pushBytes) + " expected");
    const uint32_t* maxGroups = m_device.info().maxComputeWorkGroupCount;
    if (groupsX == 0 || groupsY == 0 || groupsZ == 0)
        return {};
    if (groupsX > maxGroups[0] || groupsY > maxGroups[1] || groupsZ > maxGroups[2])
        return makeError(ErrorCode::Unsupported, pipeline.key + ": dispatch of " + std::to_string(groupsX) + "x" + std::to_string(groupsY)
                                                     + "x" + std::to_string(groupsZ) + " workgroups exceeds the device limit");
    if (!m_recording) {
        if (auto begun = begin(); !begun)
            return begun.error();
    }
    Result<VkDescriptorSet> set = allocateSet(pipeline.setLayout);
    if (!set)
        return set.error();

    VkDescriptorBufferInfo infos[kMaxBindings];
    VkWriteDescriptorSet writes[kMaxBindings];
    uint32_t i = 0;
    for (const Binding& b : bindings) {
        infos[i] = {b.buffer->handle(), 0, VK_WHOLE_SIZE};
        writes[i] = {};
        writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        writes[i].dstSet = *set;
        writes[i].dstBinding = i;
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[i].pBufferInfo = &infos[i];
        ++i;
    }
    vkUpdateDescriptorSets(m_device.handle(), i, writes, 0, nullptr);

    barrierIfNeeded(bindings);
    vkCmdBindPipeline(m_commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline.get());
    vkCmdBindDescriptorSets(m_commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout, 0, 1, &*set, 0, nullptr);
    if (pushBytes)
        vkCmdPushConstants(m_commands, pipeline.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes, push);
    vkCmdDispatch(m_commands, groupsX, groupsY, groupsZ);
    ++m_dispatches;
    return {};
}

Result<void> CommandBatch::submitAndWait()
{
    if (!m_recording)
        return {};
    m_recording = false;
    // Make every shader write visible to host reads (mapped buffers), copies (read-back through
    // staging) and the next batch.
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_SHADER_READ_BIT;
    vkCmdPipelineBarrier(m_commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1,
                         &barrier, 0, nullptr, 0, nullptr);
    if (VkResult r = vkEndCommandBuffer(m_commands); r != VK_SUCCESS)
        return vkError(r, "vkEndCommandBuffer");
    return m_device.submitAndWait(m_commands, m_fence.get());
}

} // namespace engine::gpu
