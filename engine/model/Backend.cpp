#include "model/Backend.h"

#include <mutex>
#include <string>

namespace engine::model {

namespace {
std::mutex g_mutex;
BackendFactory g_gpuFactory;   // guarded by g_mutex
} // namespace

Result<void> BackendContext::checkCellRange(int begin, int count, int end) const
{
    if (begin < 0 || count < 0 || begin + count > end || end > capacity())
        return makeError(ErrorCode::InvalidArgument, "cells " + std::to_string(begin) + "+" + std::to_string(count) + " of " +
                                                         std::to_string(end) + " are outside the cache of " + std::to_string(capacity()));
    return {};
}

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
