#pragma once
// The CPU implementation of model::Backend: weights stay in the file's memory mapping (zero
// copy), kernels are picked at run time (AVX2/FMA/F16C or scalar), work is split over a
// persistent thread pool.

#include "core/Result.h"
#include "model/Backend.h"
#include "model/LoadedModel.h"

#include <memory>

namespace engine::cpu {

// threads <= 0: defaultThreadCount().
Result<std::unique_ptr<model::Backend>> createCpuBackend(std::shared_ptr<const model::LoadedModel> model, int threads);

} // namespace engine::cpu
