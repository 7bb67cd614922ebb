#pragma once
// Kernel tables behind Kernels.h: the scalar reference and the AVX2 set (compiled for AVX2 in
// its own translation unit and only reached after a CPU check).

#include "quant/Kernels.h"

namespace engine::quant::detail {

VecDotFn scalarVecDot(TensorType weightType);
void scalarQuantizeActivations(TensorType weightType, const float* x, void* dst, int64_t n);

MatMulTileFn scalarMatMulTile(TensorType weightType);
MatMulTileFn avx2MatMulTile(TensorType weightType); // nullptr where there is none

const PanelOps* avx2PanelOps(TensorType weightType);
const PanelOps* avx2InterleavedPanelOps(TensorType weightType);
bool avx2CanInterleave(TensorType weightType);
size_t avx2InterleavedRowBytes(TensorType weightType, int64_t n);
void avx2InterleaveRows(TensorType weightType, int64_t n, int64_t nRows, const void* src, size_t srcStride, void* dst);
MatMulTileFn avx2InterleavedTile(TensorType weightType);
void avx2ActivationPanelSums(TensorType weightType, const void* actRow, int64_t n, float* sums);

// nullptr where the AVX2 set has no kernel for the type.
VecDotFn avx2VecDot(TensorType weightType);
// false when the AVX2 set has no converter for the activation type (the caller falls back).
bool avx2QuantizeActivations(TensorType weightType, const float* x, void* dst, int64_t n);

} // namespace engine::quant::detail
