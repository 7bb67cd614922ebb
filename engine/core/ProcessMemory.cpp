#include "core/ProcessMemory.h"

#include <cstdio>
#include <cstring>

namespace engine {

namespace {

std::optional<int64_t> statusField(const char* name)
{
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f)
        return std::nullopt;
    char line[256];
    std::optional<int64_t> bytes;
    const size_t len = std::strlen(name);
    while (std::fgets(line, sizeof line, f)) {
        long long kib = 0;
        if (std::strncmp(line, name, len) == 0 && line[len] == ':' && std::sscanf(line + len + 1, "%lld", &kib) == 1) {
            bytes = static_cast<int64_t>(kib) * 1024;
            break;
        }
    }
    std::fclose(f);
    return bytes;
}

} // namespace

std::optional<int64_t> peakResidentBytes()
{
    return statusField("VmHWM");
}

std::optional<int64_t> residentBytes()
{
    return statusField("VmRSS");
}

} // namespace engine
