#include "core/CpuFeatures.h"

#include <cstdlib>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <cstring>

namespace engine {

std::string CpuFeatures::bestIsaName() const
{
    if (hasAvx512Vnni())
        return "AVX-512 VNNI";
    if (hasAvx2Fma())
        return "AVX2";
    return "scalar";
}

static CpuFeatures probe()
{
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    // clang 14 does not know "f16c" as a feature string: read CPUID leaf 1 (ECX bit 29) instead.
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        f.f16c = (ecx & bit_F16C) != 0;
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512vnni = __builtin_cpu_supports("avx512vnni");
#endif
    if (const char* cap = std::getenv("INKSTONE_CPU")) {
        if (std::strcmp(cap, "scalar") == 0)
            f = CpuFeatures{};
        else if (std::strcmp(cap, "avx2") == 0)
            f.avx512f = f.avx512bw = f.avx512vl = f.avx512vnni = false;
    }
    return f;
}

const CpuFeatures& cpuFeatures()
{
    static const CpuFeatures features = probe();
    return features;
}

} // namespace engine
