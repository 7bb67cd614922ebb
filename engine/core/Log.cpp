#include "core/Log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace engine {
namespace {
std::mutex g_sinkMutex;
LogSink g_sink; // guarded by g_sinkMutex
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};

const char* levelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    }
    return "";
}
} // namespace

void setLogSink(LogSink sink)
{
    std::lock_guard lock(g_sinkMutex);
    g_sink = std::move(sink);
}

void setLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

void log(LogLevel level, const std::string& message)
{
    if (static_cast<int>(level) < g_level.load())
        return;
    std::lock_guard lock(g_sinkMutex);
    if (g_sink) {
        g_sink(level, message);
        return;
    }
    std::fprintf(stderr, "inkstone %s: %s\n", levelName(level), message.c_str());
}

} // namespace engine
