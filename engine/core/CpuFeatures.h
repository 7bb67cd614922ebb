#pragma once
// What the CPU we run on can do, probed once. Kernels compiled for AVX2/AVX-512 are reached
// only after these checks, so the binary starts on any x86-64 CPU.

#include <string>

namespace engine {

struct CpuFeatures {
    bool avx2 = false;
    bool fma = false;
    bool f16c = false;
    bool avx512f = false;
    bool avx512bw = false;
    bool avx512vl = false;
    bool avx512vnni = false;

    bool hasAvx2Fma() const { return avx2 && fma && f16c; }
    bool hasAvx512Vnni() const { return hasAvx2Fma() && avx512f && avx512bw && avx512vl && avx512vnni; }
    // "AVX2" or "AVX-512 VNNI" or "scalar", for the backend indicator.
    std::string bestIsaName() const;
};

// Probed on first call. INKSTONE_CPU=scalar|avx2 in the environment caps what is used
// (for testing the fallbacks on a capable machine).
const CpuFeatures& cpuFeatures();

} // namespace engine
