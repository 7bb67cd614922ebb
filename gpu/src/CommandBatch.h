#pragma once
// Records many dispatches into one command buffer and submits them once (a forward pass is one
// batch, not a submit per op). Barriers are inserted only where a dispatch touches a buffer that
// an earlier dispatch since the last barrier wrote (or, for writes, read).

#include "Buffer.h"
#include "Handle.h"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

namespace engine::gpu {

struct Pipeline;

enum class Access {
    Read,
    Write,
    // A write to a range no other WriteDisjoint dispatch since the last barrier touches (the
    // row parts of one matrix-vector product): no barrier between those.
    WriteDisjoint,
};

struct Binding {
    const Buffer* buffer;
    Access access;
};

class CommandBatch {
public:
    static Result<std::unique_ptr<CommandBatch>> create(Device& device);
    ~CommandBatch();

    CommandBatch(const CommandBatch&) = delete;
    CommandBatch& operator=(const CommandBatch&) = delete;

    Device& device() const { return m_device; }

    // Records one dispatch; bindings go to set 0, bindings 0..n-1 in order. Starts recording
    // when nothing is being recorded.
    Result<void> dispatch(const Pipeline& pipeline, std::initializer_list<Binding> bindings, const void* push,
                          uint32_t pushBytes, uint32_t groupsX, uint32_t groupsY = 1, uint32_t groupsZ = 1);

    template <typename Push>
    Result<void> dispatch(const Pipeline& pipeline, std::initializer_list<Binding> bindings, const Push& push,
                          uint32_t groupsX, uint32_t groupsY = 1, uint32_t groupsZ = 1)
    {
        return dispatch(pipeline, bindings, &push, sizeof(Push), groupsX, groupsY, groupsZ);
    }

    // Ends recording, submits, waits. Results are then readable by the host and by later work.
    // An empty batch submits nothing.
    Result<void> submitAndWait();

    uint32_t dispatchCount() const { return m_dispatches; } // since the last submit
    uint32_t barrierCount() const { return m_barriers; }

private:
    explicit CommandBatch(Device& device) : m_device(device) {}
    Result<void> begin();
    Result<VkDescriptorSet> allocateSet(VkDescriptorSetLayout layout);
    void barrierIfNeeded(std::initializer_list<Binding> bindings);

    Device& m_device;
    bool m_recording = false;
    uint32_t m_dispatches = 0;
    uint32_t m_barriers = 0;
    size_t m_currentPool = 0;
    std::vector<VkBuffer> m_read, m_written, m_writtenDisjoint; // since the last barrier

    Handle<VkCommandPool> m_pool;
    Handle<VkFence> m_fence;
    std::vector<Handle<VkDescriptorPool>> m_descriptorPools;
    VkCommandBuffer m_commands = VK_NULL_HANDLE; // freed with m_pool
};

} // namespace engine::gpu
