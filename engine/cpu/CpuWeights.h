#pragma once
// The CPU backend's view of the model's weights: the loaded model's tensor table, in which the
// matrices whose format has interleaved kernels (quant::canInterleave: Q4_0, Q8_0 with AVX2) are
// re-laid out 8 rows at a time into memory of its own. That layout roughly doubles the speed of
// those formats' generation kernels (see KernelsAvx2Interleaved.cpp); it costs one pass over the
// weights at load time. The file's pages of a converted matrix are then handed back to the
// kernel (they are no longer read), so resident memory stays about the size of the file.

#include "cpu/ThreadPool.h"
#include "model/LoadedModel.h"

#include <memory>
#include <vector>

namespace engine::cpu {

struct CpuWeights {
    model::ModelWeights weights;
    std::vector<std::unique_ptr<uint8_t[]>> storage; // the interleaved copies
    size_t interleavedBytes = 0; // logged at load
};

// INKSTONE_MATMUL=tiles (the benchmark baseline) keeps every matrix in the file's layout.
std::shared_ptr<const CpuWeights> prepareCpuWeights(const model::LoadedModel& model, ThreadPool& pool);

} // namespace engine::cpu
