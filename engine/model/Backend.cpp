#include "model/Backend.h"

#include <mutex>

namespace engine::model {

namespace {
std::mutex g_mutex;
BackendFactory g_gpuFactory;   // guarded by g_mutex
} // namespace

void setGpuBackendFactory(BackendFactory factory)
{
    std::lock_guard lock(g_mutex);
    g_gpuFactory = std::move(factory);
}

BackendFactory gpuBackendFactory()
{
    std::lock_guard lock(g_mutex);
    return g_gpuFactory;
}

} // namespace engine::model
