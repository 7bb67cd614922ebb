#pragma once
// Handle<T, Owner>: move-only ownership of one Vulkan handle. The destroy function is bound when
// the handle is made, so no code ever calls vkDestroy* by hand; members declared later in a class
// are destroyed first, which gives the reverse-creation order Vulkan requires.

#include "VulkanApi.h"

#include <utility>

namespace engine::gpu {

template <typename T, typename Owner = VkDevice>
class Handle {
public:
    using Destroy = void (*)(Owner owner, T handle);

    Handle() = default;
    Handle(Owner owner, T handle, Destroy destroy) : m_owner(owner), m_handle(handle), m_destroy(destroy) {}
    ~Handle() { reset(); }

    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& other) noexcept
        : m_owner(other.m_owner), m_handle(std::exchange(other.m_handle, T{})), m_destroy(other.m_destroy)
    {
    }
    Handle& operator=(Handle&& other) noexcept
    {
        if (this != &other) {
            reset();
            m_owner = other.m_owner;
            m_handle = std::exchange(other.m_handle, T{});
            m_destroy = other.m_destroy;
        }
        return *this;
    }

    T get() const { return m_handle; }
    explicit operator bool() const { return m_handle != T{}; }

    void reset()
    {
        if (m_handle != T{} && m_destroy)
            m_destroy(m_owner, m_handle);
        m_handle = T{};
    }

private:
    Owner m_owner{};
    T m_handle{};
    Destroy m_destroy = nullptr;
};

} // namespace engine::gpu
