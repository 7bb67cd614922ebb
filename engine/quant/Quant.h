#pragma once
// Reference (scalar) conversion between float and every block format, bit-exact with ggml's
// reference code (ggml-quants.c). Kernels in this folder are checked against these.

#include "quant/TensorType.h"

#include <cstdint>

namespace engine::quant {

// True when dequantizeRow supports the type.
bool canDequantize(TensorType type);
// True when quantizeRow supports the type.
bool canQuantize(TensorType type);

// n must be a multiple of the type's block size.
void dequantizeRow(TensorType type, const void* src, float* dst, int64_t n);

// Quantizes one row. importance (may be null) is an importance-matrix row as llama.cpp's
// quantize_* functions take it; without one the result equals ggml's quantize_row_*_ref.
void quantizeRow(TensorType type, const float* src, void* dst, int64_t n, const float* importance = nullptr);

// IEEE half and bfloat16 conversion, round-to-nearest-even as ggml does.
float f16ToF32(uint16_t h);
uint16_t f32ToF16(float f);
float bf16ToF32(uint16_t h);
uint16_t f32ToBf16(float f);

} // namespace engine::quant
