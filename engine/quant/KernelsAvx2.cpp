// AVX2/FMA/F16C kernels. This file is compiled with -mavx2 -mfma -mf16c and reached only
// through Kernels.cpp after the CPU check.

#include "quant/Blocks.h"
#include "quant/KernelsInternal.h"

#include <immintrin.h>

namespace engine::quant::detail {

VecDotFn avx2VecDot(TensorType)
{
    return nullptr;
}

bool avx2QuantizeActivations(TensorType, const float*, void*, int64_t)
{
    return false;
}

} // namespace engine::quant::detail
