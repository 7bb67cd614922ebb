// Kernel selection: the AVX2 set where the CPU has AVX2+FMA+F16C (and INKSTONE_CPU does not cap
// it), the scalar reference otherwise.

#include "quant/Kernels.h"

#include "core/CpuFeatures.h"
#include "quant/KernelsInternal.h"

#include <cassert>

namespace engine::quant {
namespace {

bool useAvx2()
{
    static const bool avx2 = cpuFeatures().hasAvx2Fma();
    return avx2;
}

} // namespace

TensorType activationType(TensorType weightType)
{
    switch (weightType) {
    case TensorType::Q4_0: case TensorType::Q5_0: case TensorType::Q8_0: case TensorType::IQ4_NL:
        return TensorType::Q8_0;
    case TensorType::Q4_1: case TensorType::Q5_1:
        return TensorType::Q8_1;
    case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K: case TensorType::Q5_K:
    case TensorType::Q6_K: case TensorType::IQ4_XS:
        return TensorType::Q8_K;
    case TensorType::F16:
        return TensorType::F16;
    case TensorType::BF16:
        return TensorType::BF16;
    default:
        return TensorType::F32;
    }
}

size_t activationRowBytes(TensorType weightType, int64_t n)
{
    const auto bytes = rowBytes(activationType(weightType), n);
    assert(bytes);
    return bytes ? static_cast<size_t>(*bytes) : 0;
}

void quantizeActivationsScalar(TensorType weightType, const float* x, void* dst, int64_t n)
{
    detail::scalarQuantizeActivations(weightType, x, dst, n);
}

void quantizeActivations(TensorType weightType, const float* x, void* dst, int64_t n)
{
    if (useAvx2() && detail::avx2QuantizeActivations(weightType, x, dst, n))
        return;
    detail::scalarQuantizeActivations(weightType, x, dst, n);
}

VecDotFn vecDotScalar(TensorType weightType)
{
    return detail::scalarVecDot(weightType);
}

VecDotFn vecDot(TensorType weightType)
{
    if (useAvx2()) {
        if (VecDotFn fn = detail::avx2VecDot(weightType))
            return fn;
    }
    return detail::scalarVecDot(weightType);
}

MatMulTileFn matMulTileScalar(TensorType weightType)
{
    return detail::scalarMatMulTile(weightType);
}

MatMulTileFn matMulTile(TensorType weightType)
{
    if (useAvx2()) {
        if (MatMulTileFn fn = detail::avx2MatMulTile(weightType))
            return fn;
    }
    return detail::scalarMatMulTile(weightType);
}

const PanelOps* panelOps(TensorType weightType)
{
    return useAvx2() ? detail::avx2PanelOps(weightType) : nullptr;
}

void activationPanelSums(TensorType weightType, const void* actRow, int64_t n, float* sums)
{
    assert(useAvx2());
    detail::avx2ActivationPanelSums(weightType, actRow, n, sums);
}

bool canInterleave(TensorType weightType)
{
    return useAvx2() && detail::avx2CanInterleave(weightType);
}

size_t interleavedRowBytes(TensorType weightType, int64_t n)
{
    return detail::avx2InterleavedRowBytes(weightType, n);
}

void interleaveRows(TensorType weightType, int64_t n, int64_t nRows, const void* src, size_t srcStride, void* dst)
{
    assert(canInterleave(weightType) && nRows % 8 == 0);
    detail::avx2InterleaveRows(weightType, n, nRows, src, srcStride, dst);
}

MatMulTileFn interleavedTile(TensorType weightType)
{
    return canInterleave(weightType) ? detail::avx2InterleavedTile(weightType) : nullptr;
}

const PanelOps* interleavedPanelOps(TensorType weightType)
{
    return canInterleave(weightType) ? detail::avx2InterleavedPanelOps(weightType) : nullptr;
}

bool hasVecDot(TensorType weightType)
{
    return detail::scalarVecDot(weightType) != nullptr;
}

const char* kernelIsaName()
{
    return useAvx2() ? "AVX2" : "scalar";
}

} // namespace engine::quant
